//! Namespaces: user, mount, network, pid, ipc, uts and cgroup.
