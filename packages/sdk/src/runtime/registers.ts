/**
 * The peripheral registers an application reaches through mvPeriphPeek32/mvPeriphPoke32: the
 * STM32U585's RCC block (the only peripheral the Microvisor HAL fork documents), plus the few
 * PWR and FLASH registers the fork's clock code touches. Shared by the device core and the mock.
 *
 * The register file is the one description of the clock tree: the clock getters (mvGetSysClk,
 * mvGetHClk, mvGetPClk1, mvGetPClk2) compute their answers from it, so the HAL, which recomputes
 * clocks from peeked registers, and the getters always agree. Ready flags follow their enable
 * bits at once, so the HAL's "wait until ready" loops end.
 */
import { LIMITS, MV_STATUS_OKAY, MV_STATUS_PERIPHERALACCESSFAULT, type MvStatus } from '../generated/index.js';

/** Frequencies in Hz. */
export interface ClockSettings {
  sysclk: number;
  hclk: number;
  pclk1: number;
  pclk2: number;
}

/** 160 MHz everywhere: the STM32U585's maximum, all bus prescalers at 1 (Microvisor states no figure). */
export const DEFAULT_CLOCKS: Readonly<ClockSettings> = { sysclk: 160_000_000, hclk: 160_000_000, pclk1: 160_000_000, pclk2: 160_000_000 };

// Chip facts (STM32U585 reference values used by the HAL: HSE_VALUE, HSI_VALUE, MSI ranges).
const HSE_HZ = 16_000_000;
const HSI_HZ = 16_000_000;
const MSI_RANGES_HZ = [48_000_000, 24_000_000, 16_000_000, 12_000_000, 4_000_000, 2_000_000, 1_330_000, 1_000_000, 3_072_000, 1_536_000, 1_024_000, 768_000, 400_000, 200_000, 133_000, 100_000];
const AHB_DIVIDERS = [2, 4, 8, 16, 64, 128, 256, 512]; // HPRE 8..15
const APB_DIVIDERS = [2, 4, 8, 16]; // PPRE 4..7

const RCC_BASE = 0x46020c00;
const PWR_BASE = 0x46020800;
const FLASH_BASE = 0x40022000;
/** Secure aliases sit 0x10000000 above the non-secure addresses. */
const SECURE_OFFSET = 0x10000000;

const RCC_OFFSETS: Readonly<Record<string, number>> = {
  CR: 0x00, ICSCR1: 0x08, ICSCR2: 0x0c, ICSCR3: 0x10, CRRCR: 0x14, CFGR1: 0x1c, CFGR2: 0x20, CFGR3: 0x24,
  PLL1CFGR: 0x28, PLL2CFGR: 0x2c, PLL3CFGR: 0x30, PLL1DIVR: 0x34, PLL1FRACR: 0x38, PLL2DIVR: 0x3c, PLL2FRACR: 0x40,
  PLL3DIVR: 0x44, PLL3FRACR: 0x48, CIER: 0x50, CIFR: 0x54, CICR: 0x58, AHB1RSTR: 0x60, AHB2RSTR1: 0x64, AHB2RSTR2: 0x68,
  AHB3RSTR: 0x6c, APB1RSTR1: 0x74, APB1RSTR2: 0x78, APB2RSTR: 0x7c, APB3RSTR: 0x80, AHB1ENR: 0x88, AHB2ENR1: 0x8c,
  AHB2ENR2: 0x90, AHB3ENR: 0x94, APB1ENR1: 0x9c, APB1ENR2: 0xa0, APB2ENR: 0xa4, APB3ENR: 0xa8, AHB1SMENR: 0xb0,
  AHB2SMENR1: 0xb4, AHB2SMENR2: 0xb8, AHB3SMENR: 0xbc, APB1SMENR1: 0xc4, APB1SMENR2: 0xc8, APB2SMENR: 0xcc,
  APB3SMENR: 0xd0, SRDAMR: 0xd8, CCIPR1: 0xe0, CCIPR2: 0xe4, CCIPR3: 0xe8, BDCR: 0xf0, CSR: 0xf4, SECCFGR: 0x110, PRIVCFGR: 0x114,
};

/** Ready flags that follow their enable bit: [enable bit, ready bit]. */
const CR_READY: readonly (readonly [number, number])[] = [[0, 2], [4, 5], [8, 10], [12, 13], [14, 15], [16, 17], [24, 25], [26, 27], [28, 29]];
const BDCR_READY: readonly (readonly [number, number])[] = [[0, 1], [26, 27]];
const CR_READONLY = CR_READY.reduce((m, [, rdy]) => m | (1 << rdy), 0) >>> 0;
const BDCR_READONLY = BDCR_READY.reduce((m, [, rdy]) => m | (1 << rdy), 0) >>> 0;

/** A register as the chip defines it; the values live in each RegisterFile. */
interface RegisterDef {
  readonly name: string;
  readonly address: number;
  readonly reset: number;
  /** Bits the application may change; the others are kept (the kernel ignores writes to them silently). */
  readonly writable: number;
  /** Where its value sits in a RegisterFile's values. */
  readonly index: number;
}

/**
 * Every register, built once: a runtime makes a register file per device, and a fleet makes
 * thousands of devices, so per device there is only the array of values.
 */
const DEFS: readonly RegisterDef[] = (() => {
  const defs: RegisterDef[] = [];
  const define = (address: number, name: string, reset: number, writable: number) => defs.push({ name, address, reset: reset >>> 0, writable: writable >>> 0, index: defs.length });
  for (const [name, offset] of Object.entries(RCC_OFFSETS)) {
    const readonly = name === 'CR' ? CR_READONLY : name === 'BDCR' ? BDCR_READONLY : name === 'CFGR1' ? 0b1100 : 0;
    define(RCC_BASE + offset, `RCC_${name}`, 0, ~readonly >>> 0);
  }
  // PWR_VOSR: VOSRDY (15) and BOOSTRDY (14) follow; PWR_DBPR; FLASH_ACR (latency and low-power bits).
  define(PWR_BASE + 0x0c, 'PWR_VOSR', 0x8000, ~0xc000 >>> 0);
  define(PWR_BASE + 0x28, 'PWR_DBPR', 0, 1);
  define(FLASH_BASE + 0x00, 'FLASH_ACR', 0, 0xffffffff);
  return defs;
})();
const BY_ADDRESS = new Map(DEFS.map((d) => [d.address, d]));
const BY_NAME = new Map(DEFS.map((d) => [d.name, d]));
/** Index of an RCC register's value. */
const RCC = (name: string): number => BY_NAME.get(`RCC_${name}`)!.index;

export interface RegisterAccess {
  readonly op: 'peek' | 'poke';
  readonly reg: number;
  readonly status: MvStatus;
  /** Peek: the value read. Poke: the value after the write. */
  readonly value?: number;
  readonly mask?: number;
  readonly xorvalue?: number;
}

export interface RegisterFileOptions {
  clocks?: Partial<ClockSettings>;
  /** Accept the secure alias addresses too (default false: Microvisor documents only the non-secure ones). */
  secureAlias?: boolean;
}

function prescaler(ratio: number, dividers: readonly number[], first: number, what: string): number {
  if (ratio === 1) return 0;
  const i = dividers.indexOf(ratio);
  if (i < 0 || !Number.isInteger(ratio)) throw new RangeError(`clock option: ${what} must divide by one of 1, ${dividers.join(', ')} (got ${ratio})`);
  return first + i;
}

function bits(value: number, pos: number, width: number): number {
  return (value >>> pos) & ((1 << width) - 1);
}

export class RegisterFile {
  /** Register values, in DEFS order. */
  private readonly values = new Uint32Array(DEFS.length);
  /** Every peek and poke, in order, for tests and the inspector. */
  readonly log: RegisterAccess[] = [];
  private readonly secureAlias: boolean;

  constructor(options: RegisterFileOptions = {}) {
    this.secureAlias = options.secureAlias ?? false;
    for (const d of DEFS) this.values[d.index] = d.reset;
    this.configureClocks({ ...DEFAULT_CLOCKS, ...options.clocks });
  }

  /** Sets the RCC registers so that the clock tree runs at `c`: SYSCLK from PLL1 fed by the 16 MHz HSE. */
  private configureClocks(c: ClockSettings): void {
    for (const [k, v] of Object.entries(c)) if (!(Number.isInteger(v) && v > 0)) throw new RangeError(`clock option: ${k} must be a positive whole number of Hz (got ${v})`);
    const hpre = prescaler(c.sysclk / c.hclk, AHB_DIVIDERS, 8, 'hclk = sysclk /');
    const ppre1 = prescaler(c.hclk / c.pclk1, APB_DIVIDERS, 4, 'pclk1 = hclk /');
    const ppre2 = prescaler(c.hclk / c.pclk2, APB_DIVIDERS, 4, 'pclk2 = hclk /');
    let n = 0;
    let r = 0;
    for (let div = 1; div <= 128 && n === 0; div++) {
      const mult = (c.sysclk * div) / HSE_HZ;
      if (Number.isInteger(mult) && mult >= 4 && mult <= 512) [n, r] = [mult, div];
    }
    if (n === 0) throw new RangeError(`clock option: sysclk ${c.sysclk} Hz cannot be made by PLL1 from the 16 MHz HSE (16 MHz × N / R, N 4-512, R 1-128)`);
    // MSIS stays on at 4 MHz (range 4), HSE and PLL1 on, SYSCLK switched to PLL1.
    this.values[RCC('CR')] = (1 << 0) | (1 << 2) | (1 << 16) | (1 << 17) | (1 << 24) | (1 << 25);
    this.values[RCC('CSR')] = 4 << 12;
    this.values[RCC('CFGR1')] = 0b1111;
    this.values[RCC('CFGR2')] = hpre | (ppre1 << 4) | (ppre2 << 8);
    this.values[RCC('PLL1CFGR')] = 3 | (3 << 2) | (1 << 18);
    this.values[RCC('PLL1DIVR')] = ((n - 1) | (1 << 9) | (1 << 16) | ((r - 1) << 24)) >>> 0;
  }

  private lookup(reg: number): RegisterDef | undefined {
    const direct = BY_ADDRESS.get(reg);
    if (direct || !this.secureAlias) return direct;
    return BY_ADDRESS.get(reg - SECURE_OFFSET);
  }

  /** The access check both calls share: word alignment (the spec's limit), then the allow-list. */
  private check(reg: number): RegisterDef | MvStatus {
    const align = LIMITS.PERIPHERAL_REGISTER_ALIGNMENT;
    if (reg % align.value !== 0) return align.status;
    return this.lookup(reg) ?? MV_STATUS_PERIPHERALACCESSFAULT;
  }

  peek(reg: number): { status: MvStatus; value?: number } {
    const r = this.check(reg);
    if (typeof r === 'number') {
      this.log.push({ op: 'peek', reg, status: r });
      return { status: r };
    }
    const value = this.values[r.index];
    this.log.push({ op: 'peek', reg, status: MV_STATUS_OKAY, value });
    return { status: MV_STATUS_OKAY, value };
  }

  /** new = (old & ~mask) ^ xorvalue, limited to the writable bits; ready flags then follow. */
  poke(reg: number, mask: number, xorvalue: number): MvStatus {
    const r = this.check(reg);
    if (typeof r === 'number') {
      this.log.push({ op: 'poke', reg, status: r, mask, xorvalue });
      return r;
    }
    const old = this.values[r.index];
    const wanted = ((old & ~mask) ^ xorvalue) >>> 0;
    const value = (this.values[r.index] = this.settle(r, ((old & ~r.writable) | (wanted & r.writable)) >>> 0));
    this.log.push({ op: 'poke', reg, status: MV_STATUS_OKAY, value, mask, xorvalue });
    return MV_STATUS_OKAY;
  }

  /** The current value of a register by name (`RCC_CFGR2`), for tests. */
  read(name: string): number | undefined {
    const d = BY_NAME.get(name);
    return d && this.values[d.index];
  }

  /** `value` for `r` with the flags that follow other bits brought in line. */
  private settle(r: RegisterDef, value: number): number {
    const follow = (pairs: readonly (readonly [number, number])[]): number => {
      for (const [on, rdy] of pairs) value = (value & ~(1 << rdy)) | (((value >>> on) & 1) << rdy);
      return value >>> 0;
    };
    if (r.name === 'RCC_CR') return follow(CR_READY);
    if (r.name === 'RCC_BDCR') return follow(BDCR_READY);
    if (r.name === 'RCC_CFGR1') return ((value & ~0b1100) | ((value & 0b11) << 2)) >>> 0;
    if (r.name === 'PWR_VOSR') return ((value & ~0x4000) | (((value >>> 18) & 1) << 14) | 0x8000) >>> 0;
    return value;
  }

  /** The clock tree as the registers describe it, computed the way the HAL computes it. */
  clocks(): ClockSettings {
    const cr = this.values[RCC('CR')];
    const msis = (): number => {
      const icscr1 = this.values[RCC('ICSCR1')];
      const range = bits(icscr1, 23, 1) ? bits(icscr1, 28, 4) : bits(this.values[RCC('CSR')], 12, 4);
      return MSI_RANGES_HZ[range];
    };
    const source = (sel: number): number => [msis(), HSI_HZ, HSE_HZ][sel - 1] ?? 0;
    let sysclk: number;
    switch (bits(this.values[RCC('CFGR1')], 2, 2)) {
      case 0:
        sysclk = msis();
        break;
      case 1:
        sysclk = HSI_HZ;
        break;
      case 2:
        sysclk = HSE_HZ;
        break;
      default: {
        const cfgr = this.values[RCC('PLL1CFGR')];
        const divr = this.values[RCC('PLL1DIVR')];
        const m = bits(cfgr, 8, 4) + 1;
        const n = bits(divr, 0, 9) + 1;
        const r = bits(divr, 24, 7) + 1;
        sysclk = bits(cr, 25, 1) ? Math.floor((source(bits(cfgr, 0, 2)) / m) * n / r) : 0;
      }
    }
    const cfgr2 = this.values[RCC('CFGR2')];
    const hpre = bits(cfgr2, 0, 4);
    const hclk = hpre < 8 ? sysclk : Math.floor(sysclk / AHB_DIVIDERS[hpre - 8]);
    const apb = (ppre: number): number => (ppre < 4 ? hclk : Math.floor(hclk / APB_DIVIDERS[ppre - 4]));
    return { sysclk, hclk, pclk1: apb(bits(cfgr2, 4, 3)), pclk2: apb(bits(cfgr2, 8, 3)) };
  }
}
