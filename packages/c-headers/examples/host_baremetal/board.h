/*
 * The board as this example sees it: which interrupts the notification centres use, then the
 * CMSIS core functions. On the device the STM32U585 device header plays this part; a host build
 * resolves core_cm33.h to the host runtime's stand-in.
 */
#ifndef BOARD_H
#define BOARD_H

typedef enum {
    /* Lines the application does not otherwise use (the vendor demos take a timer's break IRQ). */
    NOTIFICATION_IRQn = 43,
    CONFIG_IRQn = 44 /* the config fetch at start, on a notification centre of its own */
} IRQn_Type;

#include "core_cm33.h"

#endif
