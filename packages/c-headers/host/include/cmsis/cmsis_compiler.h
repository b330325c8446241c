/* Host stand-in for CMSIS cmsis_compiler.h: the compiler macros and intrinsics, host-backed. */
#ifndef MVHOST_CMSIS_COMPILER_H
#define MVHOST_CMSIS_COMPILER_H
#include <mvhost/core.h>
#endif
