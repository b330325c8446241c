/* Host stand-in for CMSIS core_cm33.h: a device header includes this after defining IRQn_Type. */
#ifndef MVHOST_CORE_CM33_H
#define MVHOST_CORE_CM33_H
#define __CORE_CM33_H_GENERIC
#define __CORE_CM33_H_DEPENDANT
#define __CM33_REV 0x0000U
#define __CORTEX_M 33U
#include <mvhost/core.h>
#endif
