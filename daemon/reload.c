// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "reload.h"

struct reload_job {
        /* Two owners, the loop and the thread: whoever lets go last frees, because a stop must not wait
         * for a name service that does not answer. */
        atomic_int refs;
        int fd;
        int r;
        const struct config_resolver *res;
        struct ea_config *cfg;
        struct config_error err;
        char path[];
};

static void job_unref(struct reload_job *j)
{
        if (atomic_fetch_sub(&j->refs, 1) != 1)
                return;
        if (j->fd >= 0)
                close(j->fd);
        free(j->cfg);
        free(j);
}

static void *job_run(void *arg)
{
        struct reload_job *j = arg;
        uint64_t one = 1;

        j->r = config_load_with(j->path, j->res, j->cfg, &j->err);
        /* The eventfd is the "done" flag, and its write and read order the result before its use. One
         * write cannot overflow the counter: it does not fail. */
        (void)!write(j->fd, &one, sizeof(one));
        job_unref(j);
        return NULL;
}

int reload_job_start(struct reload_job **out, const char *path, const struct config_resolver *res)
{
        size_t len = strlen(path);
        struct reload_job *j = calloc(1, sizeof(*j) + len + 1);
        pthread_attr_t attr;
        pthread_t thread;
        int r = -ENOMEM;

        if (!j)
                return -ENOMEM;
        j->fd = -1;
        atomic_init(&j->refs, 1);
        j->res = res;
        memcpy(j->path, path, len + 1);
        j->cfg = malloc(sizeof(*j->cfg));
        if (!j->cfg)
                goto fail;
        j->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (j->fd < 0) {
                r = -errno;
                goto fail;
        }
        r = -pthread_attr_init(&attr);
        if (r < 0)
                goto fail;
        r = -pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (r == 0) {
                atomic_store(&j->refs, 2);
                r = -pthread_create(&thread, &attr, job_run, j);
                if (r < 0)
                        atomic_store(&j->refs, 1);
        }
        pthread_attr_destroy(&attr);
        if (r < 0)
                goto fail;
        *out = j;
        return 0;
fail:
        job_unref(j);
        return r;
}

int reload_job_fd(const struct reload_job *j)
{
        return j->fd;
}

int reload_job_result(struct reload_job *j, struct ea_config **cfg, struct config_error *err)
{
        uint64_t n;

        if (read(j->fd, &n, sizeof(n)) != sizeof(n)) {
                int r = errno == EAGAIN ? -EBUSY : -errno;

                memset(err, 0, sizeof(*err));
                snprintf(err->file, sizeof(err->file), "%s", j->path);
                snprintf(err->message, sizeof(err->message), "cannot take the result of reading: %s",
                         strerror(-r));
                return r;
        }
        *err = j->err;
        if (j->r < 0)
                return j->r;
        *cfg = j->cfg;
        j->cfg = NULL;
        return 0;
}

void reload_job_release(struct reload_job *j)
{
        if (j)
                job_unref(j);
}
