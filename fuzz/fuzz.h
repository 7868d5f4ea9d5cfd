/* What the fuzz targets share: the libFuzzer entry point and a check that
 * aborts (a crash to libFuzzer and to the plain driver alike). */
#ifndef NEWSD_FUZZ_H
#define NEWSD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond)                                                      \
        do {                                                               \
                if (!(cond)) {                                             \
                        fprintf(stderr, "%s:%d: failed: %s\n", __FILE__,   \
                                __LINE__, #cond);                          \
                        abort();                                           \
                }                                                          \
        } while (0)

#endif
