// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main() for a fuzz target in the ordinary build: runs LLVMFuzzerTestOneInput() once per file named on the
 * command line, or per regular file in a directory named there, so that the seeds and every input a fuzzing
 * campaign found are checked by the unit suite (with ASan/UBSan in that build) without libFuzzer.
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path, unsigned *runs)
{
        uint8_t *buf = NULL;
        size_t len = 0;
        FILE *f = fopen(path, "rb");
        int r = 0;

        if (!f) {
                r = -errno;
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return r;
        }
        for (;;) {
                uint8_t *n = realloc(buf, len + 65536);
                size_t got;

                if (!n) {
                        r = -ENOMEM;
                        break;
                }
                buf = n;
                got = fread(buf + len, 1, 65536, f);
                len += got;
                if (got < 65536) {
                        if (ferror(f))
                                r = -EIO;
                        break;
                }
        }
        fclose(f);
        if (r >= 0) {
                /* An exact-size copy, so that ASan sees a read past the input. */
                uint8_t *exact = malloc(len ? len : 1);

                if (!exact) {
                        r = -ENOMEM;
                } else {
                        memcpy(exact, buf, len);
                        LLVMFuzzerTestOneInput(exact, len);
                        free(exact);
                        (*runs)++;
                }
        }
        free(buf);
        return r;
}

static int run_path(const char *path, unsigned *runs)
{
        struct dirent **names = NULL;
        struct stat st;
        int n, r = 0;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -errno;
        }
        if (!S_ISDIR(st.st_mode))
                return run_file(path, runs);
        n = scandir(path, &names, NULL, alphasort);
        if (n < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -errno;
        }
        for (int i = 0; i < n; i++) {
                char child[4096];

                if (names[i]->d_name[0] != '.' && r >= 0 &&
                    snprintf(child, sizeof(child), "%s/%s", path, names[i]->d_name) < (int)sizeof(child) &&
                    stat(child, &st) == 0 && S_ISREG(st.st_mode))
                        r = run_file(child, runs);
                free(names[i]);
        }
        free(names);
        return r;
}

int main(int argc, char **argv)
{
        unsigned runs = 0;

        for (int i = 1; i < argc; i++)
                if (run_path(argv[i], &runs) < 0)
                        return 1;
        printf("%u inputs, every check held\n", runs);
        /* A directory of seeds that produced no input would test nothing. */
        return runs ? 0 : 1;
}
