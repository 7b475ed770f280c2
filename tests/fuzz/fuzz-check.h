/* SPDX-License-Identifier: GPL-2.0-or-later */
/* For the fuzz targets: a property that fails stops the run with the reason and the input's size. */
#ifndef EA_FUZZ_CHECK_H
#define EA_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond, ...)                                                                               \
        do {                                                                                                \
                if (!(cond)) {                                                                              \
                        fprintf(stderr, "%s:%d: property failed: %s: ", __FILE__, __LINE__, #cond);         \
                        fprintf(stderr, __VA_ARGS__);                                                       \
                        fputc('\n', stderr);                                                                \
                        abort();                                                                            \
                }                                                                                           \
        } while (0)

#endif
