/* The development broker: a librdkafka mock cluster kept alive by a producer
 * handle that owns its threads. */
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "newsd/devbroker.h"

struct nd_devbroker {
        rd_kafka_t *rk; /* owns the mock cluster's thread */
        rd_kafka_mock_cluster_t *mcluster;
        int brokers;
};

nd_devbroker *
nd_devbroker_new(int brokers, int partitions, const nd_strvec *topics,
                 char *errstr, size_t errstr_size)
{
        nd_devbroker *db = calloc(1, sizeof(*db));
        rd_kafka_conf_t *conf = NULL;

        if (!db) {
                nd_seterr(errstr, errstr_size, ND_ERR_NOMEM, "out of memory");
                return NULL;
        }
        db->brokers = brokers;
        /* The handle only hosts the cluster: no bootstrap.servers, so it
         * never reaches for a real broker. */
        conf = rd_kafka_conf_new();
        /* ... and its notice about that would only confuse. */
        if (rd_kafka_conf_set(conf, "log_level", "4", errstr, errstr_size) !=
            RD_KAFKA_CONF_OK)
                goto fail;
        db->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, errstr_size);
        if (!db->rk)
                goto fail;
        conf = NULL; /* owned by rk now */
        db->mcluster = rd_kafka_mock_cluster_new(db->rk, brokers);
        if (!db->mcluster) {
                nd_seterr(errstr, errstr_size, ND_ERR_KAFKA,
                          "cannot create the mock cluster");
                goto fail;
        }
        for (size_t i = 0; topics && i < topics->n; i++) {
                rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(
                    db->mcluster, topics->v[i], partitions,
                    brokers < 3 ? brokers : 3);
                if (err) {
                        nd_seterr(errstr, errstr_size, ND_ERR_KAFKA,
                                  "cannot create topic %s: %s", topics->v[i],
                                  rd_kafka_err2str(err));
                        goto fail;
                }
        }
        return db;
fail:
        if (conf)
                rd_kafka_conf_destroy(conf);
        nd_devbroker_destroy(db);
        return NULL;
}

const char *
nd_devbroker_bootstraps(const nd_devbroker *db)
{
        return rd_kafka_mock_cluster_bootstraps(db->mcluster);
}

nd_err
nd_devbroker_set_down(nd_devbroker *db, bool down, char *errstr,
                      size_t errstr_size)
{
        /* The mock cluster numbers its brokers from 1. */
        for (int id = 1; id <= db->brokers; id++) {
                rd_kafka_resp_err_t err =
                    down ? rd_kafka_mock_broker_set_down(db->mcluster, id)
                         : rd_kafka_mock_broker_set_up(db->mcluster, id);
                if (err)
                        return nd_seterr(errstr, errstr_size, ND_ERR_KAFKA,
                                         "broker %d: %s", id,
                                         rd_kafka_err2str(err));
        }
        return ND_OK;
}

void
nd_devbroker_destroy(nd_devbroker *db)
{
        if (!db)
                return;
        if (db->mcluster)
                rd_kafka_mock_cluster_destroy(db->mcluster);
        if (db->rk)
                rd_kafka_destroy(db->rk);
        free(db);
}
