// SPDX-License-Identifier: GPL-2.0-or-later
/* cgroup_path_names(): systemd unit, slice and container id from real cgroup path shapes. */
#include <stdlib.h>

#include "check.h"
#include "unit.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct names_case {
        const char *path, *unit, *slice, *container;
};

static const struct names_case cases[] = {
        {"/system.slice/ssh.service", "ssh.service", "system.slice", ""},
        {"/user.slice/user-1000.slice/session-4.scope", "session-4.scope", "user-1000.slice", ""},
        {"/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service", "user@1000.service",
         "user-1000.slice", ""},
        {"/init.scope", "init.scope", "", ""},
        {"/", "", "", ""},
        {"", "", "", ""},
        {"/user.slice", "", "user.slice", ""},
        /* docker, systemd and cgroupfs drivers */
        {"/system.slice/docker-" ID ".scope", "docker-" ID ".scope", "system.slice", ID},
        {"/docker/" ID, "", "", ID},
        /* containerd under Kubernetes */
        {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b2c.slice/cri-containerd-" ID
         ".scope",
         "cri-containerd-" ID ".scope", "kubepods-burstable-pod1b2c.slice", ID},
        {"/kubepods/burstable/pod1b2c3d4e-0000-1111-2222-333344445555/" ID, "", "", ID},
        /* CRI-O, and its conmon which is not a container */
        {"/kubepods.slice/kubepods-pod9.slice/crio-" ID ".scope", "crio-" ID ".scope", "kubepods-pod9.slice",
         ID},
        {"/kubepods.slice/kubepods-pod9.slice/crio-conmon-" ID ".scope", "crio-conmon-" ID ".scope",
         "kubepods-pod9.slice", ""},
        /* podman, rootful and rootless */
        {"/machine.slice/libpod-" ID ".scope", "libpod-" ID ".scope", "machine.slice", ID},
        {"/machine.slice/libpod-" ID ".scope/container", "libpod-" ID ".scope", "machine.slice", ID},
        {"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope", "user@1000.service",
         "user-1000.slice", ID},
        {"/machine.slice/libpod-conmon-" ID ".scope", "libpod-conmon-" ID ".scope", "machine.slice", ""},
        /* near misses: 63 hex digits, upper case, an unknown prefix */
        {"/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde.scope",
         "docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde.scope", "system.slice", ""},
        {"/docker/0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF", "", "", ""},
        {"/system.slice/rkt-" ID ".scope", "rkt-" ID ".scope", "system.slice", ""},
        /* a component that is neither slice nor unit ends the unit search */
        {"/system.slice/weird/ssh.service", "", "system.slice", ""},
        {"//system.slice//ssh.service/", "ssh.service", "system.slice", ""},
        /* systemd's escape of names that could pass for control files: the unit is named without it */
        {"/system.slice/_io.netdata.service/x", "io.netdata.service", "system.slice", ""},
        {"/_cpu.slice/_cpu-a.slice/_io.x.service", "io.x.service", "cpu-a.slice", ""},
        {"/system.slice/__under.service", "_under.service", "system.slice", ""},
};

static void check_part(const char *what, struct path_part got, const char *want)
{
        if (got.len != strlen(want) || (got.len && memcmp(got.s, want, got.len) != 0)) {
                fprintf(stderr, "FAIL %s:%d: [%s] %s: got \"%.*s\", want \"%s\"\n", __FILE__, __LINE__,
                        case_name, what, (int)got.len, got.s ? got.s : "", want);
                failures++;
        }
}

int main(void)
{
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct cgroup_names n;

                set_case("%s", cases[i].path);
                cgroup_path_names(cases[i].path, &n);
                check_part("unit", n.unit, cases[i].unit);
                check_part("slice", n.slice, cases[i].slice);
                check_part("container", n.container, cases[i].container);
        }
        return check_summary("test-unit");
}
