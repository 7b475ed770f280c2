/*
 * Unit test for daemon/reload.c: the configuration read on a thread of its own. The job is not done, and
 * its descriptor not readable, while a name lookup is still unanswered; once it is, the result is the
 * configuration with the looked-up name in it, or the error naming file, line and key.
 */
#include "reload.h"
#include "check.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int gate[2] = {-1, -1};

/* "slow" answers only once the test writes a byte to the gate: a name service that takes its time. */
static int gated_user_uid(const char *name, uint32_t *uid)
{
        char c;

        if (strcmp(name, "slow") != 0)
                return -ENOENT;
        if (read(gate[0], &c, 1) != 1)
                return -EIO;
        *uid = 4242;
        return 0;
}

static int no_path_inode(const char *path, uint64_t *inode)
{
        (void)path, (void)inode;
        return -ENOENT;
}

static const struct config_resolver gated = {.user_uid = gated_user_uid, .path_inode = no_path_inode};

static int readable(int fd, int timeout_ms)
{
        struct pollfd p = {.fd = fd, .events = POLLIN};

        return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

static void write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");

        if (!f || fputs(text, f) < 0 || fclose(f) != 0)
                FAIL("cannot write %s", path);
}

int main(void)
{
        char dir[] = "/tmp/test-reload-XXXXXX", path[64];
        struct reload_job *j = NULL;
        struct ea_config *cfg = NULL;
        struct config_error err;

        if (!mkdtemp(dir) || pipe(gate) < 0) {
                FAIL("cannot set up: %s", strerror(errno));
                return check_summary("test-reload");
        }
        snprintf(path, sizeof(path), "%s/execauditd.conf", dir);

        set_case("done only once the name is answered");
        write_file(path, "[Filter]\nExcludeUsers=slow\n");
        CHECK_RC(reload_job_start(&j, path, &gated), 0);
        if (j) {
                CHECK_WHY(!readable(reload_job_fd(j), 200), "not readable while the lookup waits");
                CHECK_RC(reload_job_result(j, &cfg, &err), -EBUSY);
                CHECK(write(gate[1], "x", 1) == 1);
                CHECK(readable(reload_job_fd(j), 10000));
                CHECK_RC(reload_job_result(j, &cfg, &err), 0);
                CHECK(cfg && cfg->filter.exclude.n_users == 1 && cfg->filter.exclude.users[0].lo == 4242 &&
                      cfg->filter.exclude.users[0].hi == 4242);
                CHECK(cfg && strcmp(cfg->path, path) == 0);
                reload_job_release(j);
                free(cfg);
        }

        set_case("an error names file, line and key");
        j = NULL;
        cfg = NULL;
        write_file(path, "[Filter]\nExcludeUsers=nobody-here\n");
        CHECK_RC(reload_job_start(&j, path, &gated), 0);
        if (j) {
                CHECK(readable(reload_job_fd(j), 10000));
                CHECK(reload_job_result(j, &cfg, &err) < 0);
                CHECK(!cfg);
                CHECK_STR(err.file, path);
                CHECK_NUM(err.line, 2);
                CHECK_STR(err.key, "ExcludeUsers");
                reload_job_release(j);
        }

        set_case("a missing file");
        j = NULL;
        unlink(path);
        CHECK_RC(reload_job_start(&j, path, &gated), 0);
        if (j) {
                CHECK(readable(reload_job_fd(j), 10000));
                CHECK(reload_job_result(j, &cfg, &err) < 0);
                CHECK_STR(err.file, path);
                reload_job_release(j);
        }
        rmdir(dir);
        return check_summary("test-reload");
}
