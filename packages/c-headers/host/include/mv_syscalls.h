/*
 * Host build: firmware that includes the vendor's mv_syscalls.h gets the project's header,
 * generated from the spec, whose functions the host runtime forwards to the emulated device.
 */
#ifndef MVHOST_MV_SYSCALLS_H
#define MVHOST_MV_SYSCALLS_H
#include <mvmqtt/mvmqtt.h>
#endif
