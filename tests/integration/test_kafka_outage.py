"""The broker goes away for longer than the group session while newsd has
records in flight, then comes back: newsd waits (pausing its partitions once
the in-flight bound is held), loses its assignment, gets it back, recovers
by itself and loses nothing. Inputs delivered but not yet committed when
the assignment was lost may come out twice; they are counted."""
import re
import time

from ndkafka import (Collector, DevBroker, Newsd, ProducerThread, article,
                     check, finish_run, finish_with_logs, log, produce,
                     save_sample)

records = [article(i) for i in range(6000)]

broker = DevBroker(partitions=3)
out = Collector(broker)
# A long linger and a small bound keep newsd at about 1000 records a second
# with 200 in flight, so the outage surely finds records in flight.
svc = Newsd(broker, ["pipeline.max-in-flight=200", "producer.linger.ms=200"])
coords = []
prod = ProducerThread(broker, records[:2000], batch=100, pause=0.1)
prod.join(120)
coords += prod.coords
# A burst, and the outage once newsd is working through it.
check(out.wait_for(2000, 60), "the first 2000 inputs gave outputs")
coords += produce(broker, records[2000:4000])
check(out.wait_for(2300, 60), "newsd started on the burst")
broker.down()
log("brokers down with %d outputs of %d inputs" % (sum(out.counts()),
                                                   len(coords)))
# The helper's session timeout is 6 s.
time.sleep(8)
check(svc.alive(), "newsd keeps running while the broker is away")
broker.up()
log("brokers up")
coords += produce(broker, records[4000:])
missing, dups, unknown = finish_run(out, svc, coords, 150)
check(prod.error is None, "test producer ran without error: %s" % prod.error)
check(not missing and not unknown, "nothing lost (%d missing)" % len(missing))
log("%d input(s) came out twice" % len(dups))
check(len(out.events) == len(coords) + len(dups),
      "events = inputs + counted duplicates (%d = %d + %d)" %
      (len(out.events), len(coords), len(dups)))
text = svc.log_text()
log("assignment lost during the outage: %s" %
    bool(re.search(r"lost \d+ partition", text)))
check(re.search(r"paused fetching", text) and
      re.search(r"resumed fetching", text),
      "fetching was paused while the bound was held, then resumed")
save_sample(out.events, "kafka-outage", 100)
broker.stop()
finish_with_logs(svc)
