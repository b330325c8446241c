/**
 * Provocations for the areas outside networking: clocks and device id, register access, fast
 * interrupts, mvTempTriggerNotification, server and test logging, application testing, power
 * and system, Wi-Fi. Same rules as provocations.ts (well-formed setup, one change). The world
 * switches (fast interrupts withdrawn, logging disabled by the server, Microvisor busy, wall
 * time not set, test mode) exist with the same names on the device and on the mock.
 */
import { Device } from '@mvmqtt/device';
import { MockMicrovisor } from '@mvmqtt/mock';
import type { SimulatedWorld } from '@mvmqtt/sdk/runtime';
import {
  LIMITS,
  MV_DEEPSLEEPMODE_STANDBY,
  MV_EVENTTYPE_UPDATEDOWNLOADED,
  MV_POWERSAVINGMODE_SLEEP,
  MV_RESTARTMODE_AUTOAPPLYUPDATE,
  MV_STATUS_OKAY,
  MV_SYSTEMNOTIFICATIONSOURCE_UPDATE,
  MV_WIFICONFIGMODE_APPLYNOW,
  type MvStatus,
  out,
  statusName,
  type MvDeepSleepMode,
  type MvEventType,
  type MvExternalFlashHandle,
  type MvNotificationHandle,
  type MvPowerSavingMode,
  type MvRestartMode,
  type MvSyscalls,
  type MvSystemEventHandle,
  type MvWakeReason,
  type MvWifiConfig,
  type MvWifiConfigOut,
} from '@mvmqtt/sdk';
import { IO_PROVOCATIONS } from './provocations-io.js';
import type { Provocation } from './provocations.js';
import { readOnlyBox } from './support/args.js';
import type { Rig } from './support/rig.js';

/** A pointer that is not one. */
const WILD = 0x1234 as unknown as Uint8Array;
const RCC_CR = 0x46020c00;
/** Not a register the application may reach (the GPIOA block, which the HAL drives directly). */
const NOT_ALLOWED = 0x42020000;

/** The simulated world of the device or the mock behind a rig: the same object on both. */
function world(r: Rig): SimulatedWorld {
  return ((r as unknown as { device?: Device; mock?: MockMicrovisor }).device ?? (r as unknown as { mock: MockMicrovisor }).mock).world;
}

/** A fresh runtime of the rig's kind in application-test mode; released after `use`. */
async function inTestMode(r: Rig, use: (sys: MvSyscalls) => MvStatus): Promise<MvStatus> {
  if (r.name === 'mock') return use(new MockMicrovisor({ testMode: true }));
  const device = new Device({ testMode: true, testLog: 'none' });
  try {
    return use(device);
  } finally {
    await device.powerOff();
  }
}

function expectOkay(status: MvStatus, what: string): void {
  if (status !== MV_STATUS_OKAY) throw new Error(`setup step ${what} returned ${statusName(status)}`);
}

const fromIsr = (call: (r: Rig) => MvStatus): Provocation => ({ how: 'called from an IRQ handler', run: (r) => r.fromInterrupt(() => call(r)) });

/** A 512-byte-aligned log buffer of `size` bytes (the simulated allocator aligns whole buffers). */
const logBuffer = (size = 1024): Uint8Array => new Uint8Array(size);

const readOnlyCount = <T>(v: T) => readOnlyBox(v);

function wifiConfig(ssid: string, password: string, version = 1): MvWifiConfig {
  return { version, v1: { config_mode: MV_WIFICONFIGMODE_APPLYNOW, wifi_ssid: { data: ssid, length: Buffer.byteLength(ssid) }, wifi_password: { data: password, length: Buffer.byteLength(password) } } };
}

function wifiOut(size = 32, version = 1): MvWifiConfigOut {
  return { version, v1: { ssid: { data: new Uint8Array(size), size, length: out(0) }, has_encryption: out(0) } };
}

function openUpdates(r: Rig, centre: MvNotificationHandle): MvSystemEventHandle {
  const h = out(0 as MvSystemEventHandle);
  expectOkay(r.sys.mvOpenSystemNotification({ notification_handle: centre, notification_tag: 7, notification_source: MV_SYSTEMNOTIFICATIONSOURCE_UPDATE }, h), 'mvOpenSystemNotification');
  return h.value;
}

/** The four per-IRQ fast-interrupt calls share their rows. */
function fastRows(call: (sys: MvSyscalls, irq: number) => MvStatus): Record<'MV_STATUS_INVALIDINTERRUPT' | 'MV_STATUS_UNAVAILABLE', Provocation> {
  return {
    MV_STATUS_INVALIDINTERRUPT: { how: 'an IRQ number past the last one', run: (r) => call(r.sys, LIMITS.FAST_INTERRUPT_NUMBER_RANGE.max + 1) },
    MV_STATUS_UNAVAILABLE: {
      how: 'Microvisor has withdrawn fast interrupts',
      run: (r) => {
        world(r).withdrawFastInterrupts();
        return call(r.sys, LIMITS.FAST_INTERRUPT_NUMBER_RANGE.min + 3);
      },
    },
  };
}

export const CORE_PROVOCATIONS = {
  // Calls whose only status is OKAY: nothing to provoke.
  mvNoOp: {},
  mvDisableAllFastInterrupts: {},
  mvEnableAllFastInterrupts: {},
  mvTempTriggerNotification: {
    MV_STATUS_INVALIDHANDLE: { how: 'handle 0', run: (r) => r.sys.mvTempTriggerNotification(0 as MvNotificationHandle, MV_EVENTTYPE_UPDATEDOWNLOADED as MvEventType, 1) },
  },
  mvGetMicroseconds: { MV_STATUS_PARAMETERFAULT: { how: 'ms = NULL', run: (r) => r.sys.mvGetMicroseconds(null) } },
  mvGetSysClk: { MV_STATUS_PARAMETERFAULT: { how: 'hz = NULL', run: (r) => r.sys.mvGetSysClk(null) } },
  mvGetHClk: { MV_STATUS_PARAMETERFAULT: { how: 'hz read-only', run: (r) => r.sys.mvGetHClk(readOnlyCount(0)) } },
  mvGetPClk1: { MV_STATUS_PARAMETERFAULT: { how: 'hz = NULL', run: (r) => r.sys.mvGetPClk1(null) } },
  mvGetPClk2: { MV_STATUS_PARAMETERFAULT: { how: 'hz = NULL', run: (r) => r.sys.mvGetPClk2(null) } },
  mvGetWallTime: {
    MV_STATUS_PARAMETERFAULT: { how: 'usec = NULL', run: (r) => r.sys.mvGetWallTime(null) },
    MV_STATUS_TIMENOTSET: {
      how: 'before the server has set the time',
      run: (r) => {
        world(r).unsetWallTime();
        return r.sys.mvGetWallTime(out(0n));
      },
    },
  },
  mvGetDeviceId: {
    MV_STATUS_PARAMETERFAULT: { how: 'buf = NULL', run: (r) => r.sys.mvGetDeviceId(null, LIMITS.DEVICE_ID_LENGTH.min) },
    MV_STATUS_INVALIDBUFFERSIZE: { how: 'len one short of the id', run: (r) => r.sys.mvGetDeviceId(new Uint8Array(64), LIMITS.DEVICE_ID_LENGTH.min - 1) },
  },
  mvPeriphPeek32: {
    MV_STATUS_PERIPHERALACCESSFAULT: { how: 'a register outside the allow-list', run: (r) => r.sys.mvPeriphPeek32(NOT_ALLOWED, out(0)) },
    MV_STATUS_PARAMETERFAULT: { how: 'output = NULL', run: (r) => r.sys.mvPeriphPeek32(RCC_CR, null) },
  },
  mvPeriphPoke32: {
    MV_STATUS_PERIPHERALACCESSFAULT: { how: 'RCC_CR + 1 (not word-aligned)', run: (r) => r.sys.mvPeriphPoke32(RCC_CR + 1, 1, 1) },
  },
  mvSetFastInterrupt: {
    ...fastRows((sys, irq) => sys.mvSetFastInterrupt(irq)),
    // The device core has no vector table to check (waived in the spec); the mock reports it when told to.
    MV_STATUS_INVALIDVECTOR: {
      how: 'forced (no vector table on a host)',
      run: (r) => {
        r.force('mvSetFastInterrupt', 'MV_STATUS_INVALIDVECTOR');
        return r.sys.mvSetFastInterrupt(LIMITS.FAST_INTERRUPT_NUMBER_RANGE.min);
      },
    },
  },
  mvClearFastInterrupt: fastRows((sys, irq) => sys.mvClearFastInterrupt(irq)),
  mvEnableFastInterrupt: fastRows((sys, irq) => sys.mvEnableFastInterrupt(irq)),
  mvDisableFastInterrupt: fastRows((sys, irq) => sys.mvDisableFastInterrupt(irq)),
  mvServerLoggingInit: {
    MV_STATUS_PARAMETERFAULT: { how: 'buffer = NULL', run: (r) => r.sys.mvServerLoggingInit(null, 1024) },
    MV_STATUS_INVALIDBUFFERALIGNMENT: { how: 'buffer 16 bytes past a 512-byte boundary', run: (r) => r.sys.mvServerLoggingInit(logBuffer(2048).subarray(16, 16 + 1024), 1024) },
    MV_STATUS_INVALIDBUFFERSIZE: { how: 'length not a multiple of 512', run: (r) => r.sys.mvServerLoggingInit(logBuffer(), 1000) },
  },
  mvServerLog: {
    MV_STATUS_UNAVAILABLE: { how: 'before mvServerLoggingInit', run: (r) => r.sys.mvServerLog('hello', 5) },
    MV_STATUS_PARAMETERFAULT: { how: 'message = NULL', run: (r) => r.sys.mvServerLog(null, 5) },
    MV_STATUS_INVALIDBUFFERSIZE: {
      how: 'a message bigger than the whole log buffer',
      run: (r) => {
        expectOkay(r.sys.mvServerLoggingInit(logBuffer(512), 512), 'mvServerLoggingInit');
        return r.sys.mvServerLog(new Uint8Array(600), 600);
      },
    },
    MV_STATUS_LOGMESSAGETOOLONG: {
      how: 'one byte over LOG_MESSAGE_MAX',
      run: (r) => {
        expectOkay(r.sys.mvServerLoggingInit(logBuffer(4096), 4096), 'mvServerLoggingInit');
        const n = LIMITS.LOG_MESSAGE_MAX.value + 1;
        return r.sys.mvServerLog(new Uint8Array(n), n);
      },
    },
    MV_STATUS_LOGGINGDISABLEDBYSERVER: {
      how: 'the server has disabled logging',
      run: (r) => {
        expectOkay(r.sys.mvServerLoggingInit(logBuffer(), 1024), 'mvServerLoggingInit');
        world(r).setServerLoggingDisabled(true);
        return r.sys.mvServerLog('hello', 5);
      },
    },
  },
  mvTestingComplete: {
    MV_STATUS_UNAVAILABLE: { how: 'outside application-test mode', run: (r) => r.sys.mvTestingComplete(0) },
  },
  mvTestLoggingInit: {
    MV_STATUS_PARAMETERFAULT: { how: 'buffer = NULL (test mode)', run: (r) => inTestMode(r, (sys) => sys.mvTestLoggingInit(null, 1024)) },
    MV_STATUS_INVALIDBUFFERALIGNMENT: { how: 'buffer 16 bytes past a 512-byte boundary (test mode)', run: (r) => inTestMode(r, (sys) => sys.mvTestLoggingInit(logBuffer(2048).subarray(16, 16 + 1024), 1024)) },
    MV_STATUS_INVALIDBUFFERSIZE: { how: 'length not a multiple of 512 (test mode)', run: (r) => inTestMode(r, (sys) => sys.mvTestLoggingInit(logBuffer(), 1000)) },
    MV_STATUS_UNAVAILABLE: { how: 'outside application-test mode', run: (r) => r.sys.mvTestLoggingInit(logBuffer(), 1024) },
  },
  mvTestLog: {
    MV_STATUS_UNAVAILABLE: { how: 'outside application-test mode (logging never initialised)', run: (r) => r.sys.mvTestLog('hello', 5) },
    MV_STATUS_PARAMETERFAULT: { how: 'message = NULL', run: (r) => r.sys.mvTestLog(null, 5) },
    MV_STATUS_INVALIDBUFFERSIZE: {
      how: 'a message bigger than the whole buffer (test mode)',
      run: (r) =>
        inTestMode(r, (sys) => {
          expectOkay(sys.mvTestLoggingInit(logBuffer(512), 512), 'mvTestLoggingInit');
          return sys.mvTestLog(new Uint8Array(600), 600);
        }),
    },
    MV_STATUS_LOGMESSAGETOOLONG: {
      how: 'one byte over LOG_MESSAGE_MAX',
      run: (r) => {
        const n = LIMITS.LOG_MESSAGE_MAX.value + 1;
        return r.sys.mvTestLog(new Uint8Array(n), n);
      },
    },
  },
  mvPowerSave: {
    MV_STATUS_UNAVAILABLE: fromIsr((r) => r.sys.mvPowerSave(MV_POWERSAVINGMODE_SLEEP)),
    MV_STATUS_PARAMETERFAULT: { how: 'mode 0x7f (not a mode)', run: (r) => r.sys.mvPowerSave(0x7f as MvPowerSavingMode) },
    MV_STATUS_MICROVISORBUSY: {
      how: 'while the application holds a network request',
      run: (r) => {
        r.network();
        return r.sys.mvPowerSave(MV_POWERSAVINGMODE_SLEEP);
      },
    },
  },
  mvSystemLedEnable: {
    MV_STATUS_UNAVAILABLE: fromIsr((r) => r.sys.mvSystemLedEnable(1)),
    MV_STATUS_PARAMETERFAULT: { how: 'enable = 2', run: (r) => r.sys.mvSystemLedEnable(2) },
  },
  mvDeepSleep: {
    MV_STATUS_UNAVAILABLE: fromIsr((r) => r.sys.mvDeepSleep(MV_DEEPSLEEPMODE_STANDBY)),
    MV_STATUS_PARAMETERFAULT: { how: 'mode 0x7f (not a mode)', run: (r) => r.sys.mvDeepSleep(0x7f as MvDeepSleepMode) },
    MV_STATUS_MICROVISORBUSY: {
      how: 'while the application holds a network request',
      run: (r) => {
        r.network();
        return r.sys.mvDeepSleep(MV_DEEPSLEEPMODE_STANDBY);
      },
    },
  },
  mvGetWakeReason: {
    MV_STATUS_UNAVAILABLE: fromIsr((r) => r.sys.mvGetWakeReason(out(0 as MvWakeReason))),
    MV_STATUS_PARAMETERFAULT: { how: 'mode = NULL', run: (r) => r.sys.mvGetWakeReason(null) },
  },
  mvRestart: {
    MV_STATUS_UNAVAILABLE: fromIsr((r) => r.sys.mvRestart(MV_RESTARTMODE_AUTOAPPLYUPDATE)),
    MV_STATUS_PARAMETERFAULT: { how: 'mode 7 (not a mode)', run: (r) => r.sys.mvRestart(7 as MvRestartMode) },
    MV_STATUS_MICROVISORBUSY: {
      how: 'Microvisor is busy with its own work',
      run: (r) => {
        world(r).setMicrovisorBusy(true);
        return r.sys.mvRestart(MV_RESTARTMODE_AUTOAPPLYUPDATE);
      },
    },
  },
  mvOpenSystemNotification: {
    MV_STATUS_UNAVAILABLE: {
      how: 'called from an IRQ handler',
      run: (r) => {
        const centre = r.centre();
        return r.fromInterrupt(() => r.sys.mvOpenSystemNotification({ notification_handle: centre, notification_tag: 1, notification_source: MV_SYSTEMNOTIFICATIONSOURCE_UPDATE }, out(0 as MvSystemEventHandle)));
      },
    },
    MV_STATUS_PARAMETERFAULT: { how: 'params = NULL', run: (r) => r.sys.mvOpenSystemNotification(null, out(0 as MvSystemEventHandle)) },
    MV_STATUS_INVALIDHANDLE: {
      how: 'notification_handle 0',
      run: (r) => r.sys.mvOpenSystemNotification({ notification_handle: 0 as MvNotificationHandle, notification_tag: 1, notification_source: MV_SYSTEMNOTIFICATIONSOURCE_UPDATE }, out(0 as MvSystemEventHandle)),
    },
  },
  mvCloseSystemNotification: {
    MV_STATUS_UNAVAILABLE: {
      how: 'called from an IRQ handler',
      run: (r) => {
        const h = out(openUpdates(r, r.centre()));
        return r.fromInterrupt(() => r.sys.mvCloseSystemNotification(h));
      },
    },
    MV_STATUS_PARAMETERFAULT: { how: 'handle = NULL', run: (r) => r.sys.mvCloseSystemNotification(null) },
    MV_STATUS_INVALIDHANDLE: { how: 'handle 0', run: (r) => r.sys.mvCloseSystemNotification(out(0 as MvSystemEventHandle)) },
  },
  mvExternalFlashClose: {
    ...IO_PROVOCATIONS.mvExternalFlashClose,
    MV_STATUS_PARAMETERFAULT: { how: 'handle = NULL', run: (r) => r.sys.mvExternalFlashClose(null as unknown as ReturnType<typeof out<MvExternalFlashHandle>>) },
  },
  mvSetWifiConfig: {
    MV_STATUS_PARAMETERFAULT: { how: 'params = NULL', run: (r) => r.sys.mvSetWifiConfig(null) },
    MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION: { how: 'version 2', run: (r) => r.sys.mvSetWifiConfig(wifiConfig('net', 'password', 2)) },
    MV_STATUS_INPUTTOOLONG: {
      how: 'an SSID one byte over WIFI_SSID_LENGTH_MAX',
      run: (r) => r.sys.mvSetWifiConfig(wifiConfig('n'.repeat(LIMITS.WIFI_SSID_LENGTH_MAX.value + 1), 'password')),
    },
  },
  mvGetWifiConfig: {
    MV_STATUS_PARAMETERFAULT: { how: 'ssid.data = wild pointer', run: (r) => r.sys.mvGetWifiConfig({ ...wifiOut(), v1: { ...wifiOut().v1, ssid: { data: WILD, size: 32, length: out(0) } } }) },
    MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION: { how: 'version 2', run: (r) => r.sys.mvGetWifiConfig(wifiOut(32, 2)) },
    MV_STATUS_INVALIDBUFFERSIZE: {
      how: 'an SSID buffer one byte shorter than the stored SSID',
      run: (r) => {
        expectOkay(r.sys.mvSetWifiConfig(wifiConfig('network', 'password')), 'mvSetWifiConfig');
        return r.sys.mvGetWifiConfig(wifiOut(6));
      },
    },
  },
} satisfies Record<string, Readonly<Record<`MV_STATUS_${string}`, Provocation>>>;

