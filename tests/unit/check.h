/*
 * check.h: the scaffolding shared by the unit tests in tests/unit.
 *
 * Each test is its own program, so the failure counter and the case name live here as statics. A failed
 * check prints one "FAIL ..." line to stderr and counts; it never stops the test, so one run reports every
 * broken case. Two styles of report:
 *
 *  - CHECK, CHECK_WHY, CHECK_STR, CHECK_NUM: "FAIL file:line: [case] ...", where the case is whatever
 *    set_case() last named (the tests that walk tables of inputs);
 *  - FAIL, CHECK_RC: "FAIL function:line: ..." with a printf-style message.
 *
 * main() ends with `return check_summary("test-NAME");`, which is non-zero when anything failed.
 */
#pragma once

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int failures;
static char case_name[512];

static inline void set_case(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void set_case(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(case_name, sizeof(case_name), fmt, ap);
        va_end(ap);
}

/* Prints the total to stderr; the exit status for main(): 0 when no check failed, 1 otherwise. */
static inline int check_summary(const char *test)
{
        if (failures) {
                fprintf(stderr, "%s: %d failure(s)\n", test, failures);
                return 1;
        }
        return 0;
}

#define CHECK(cond)                                                                                         \
        do {                                                                                                \
                if (!(cond)) {                                                                              \
                        fprintf(stderr, "FAIL %s:%d: [%s] %s\n", __FILE__, __LINE__, case_name, #cond);     \
                        failures++;                                                                         \
                }                                                                                           \
        } while (0)

/* A check whose failure message says what behaviour broke. */
#define CHECK_WHY(cond, what)                                                                               \
        do {                                                                                                \
                if (!(cond)) {                                                                              \
                        fprintf(stderr, "FAIL %s:%d: [%s] %s (%s)\n", __FILE__, __LINE__, case_name, what,  \
                                #cond);                                                                     \
                        failures++;                                                                         \
                }                                                                                           \
        } while (0)

#define CHECK_STR(got, want)                                                                                \
        do {                                                                                                \
                const char *g_ = (got), *w_ = (want);                                                       \
                if (!g_ || strcmp(g_, w_) != 0) {                                                           \
                        fprintf(stderr, "FAIL %s:%d: [%s] %s: got \"%s\", want \"%s\"\n", __FILE__,         \
                                __LINE__, case_name, #got, g_ ? g_ : "(null)", w_);                         \
                        failures++;                                                                         \
                }                                                                                           \
        } while (0)

#define CHECK_NUM(got, want)                                                                                \
        do {                                                                                                \
                long long g_ = (long long)(got), w_ = (long long)(want);                                    \
                if (g_ != w_) {                                                                             \
                        fprintf(stderr, "FAIL %s:%d: [%s] %s: got %lld, want %lld\n", __FILE__, __LINE__,   \
                                case_name, #got, g_, w_);                                                   \
                        failures++;                                                                         \
                }                                                                                           \
        } while (0)

#define FAIL(...)                                                                                           \
        do {                                                                                                \
                fprintf(stderr, "FAIL %s:%d: ", __func__, __LINE__);                                        \
                fprintf(stderr, __VA_ARGS__);                                                               \
                fputc('\n', stderr);                                                                        \
                failures++;                                                                                 \
        } while (0)

#define CHECK_RC(expr, want)                                                                                \
        do {                                                                                                \
                int rc_ = (expr);                                                                           \
                if (rc_ != (want))                                                                          \
                        FAIL("%s returned %d, want %d", #expr, rc_, (want));                                \
        } while (0)
