/**
 * Names a spec identifier must not take, because some target could not compile it: keywords of
 * C23 and C++23, the names the standard headers the generated code includes already declare
 * (<stdint.h>, <stddef.h>, <string.h>), identifiers C and C++ reserve for the implementation,
 * JavaScript/TypeScript reserved words and the names strict-mode code cannot bind, TypeScript's
 * predefined type names, and object keys with a special meaning in a JavaScript literal.
 *
 * `reservedReason(name, role)` says why a name is unusable in a role, or returns undefined.
 * Every lookup goes through Sets: no `in` on a plain object, so `constructor` or `__proto__`
 * are looked up like any other string.
 */

const words = (s: string) => new Set(s.trim().split(/\s+/));

/** C23 keywords, including the underscore spellings and the C23 spellings that replaced macros. */
const C_KEYWORDS = words(`
  alignas alignof auto bool break case char const constexpr continue default do double else enum extern false
  float for goto if inline int long nullptr register restrict return short signed sizeof static static_assert
  struct switch thread_local true typedef typeof typeof_unqual union unsigned void volatile while
  _Alignas _Alignof _Atomic _BitInt _Bool _Complex _Decimal128 _Decimal32 _Decimal64 _Generic _Imaginary
  _Noreturn _Pragma _Static_assert _Thread_local asm fortran`);

/** C++23 keywords and alternative operator spellings (the header is also compiled as C++). */
const CPP_KEYWORDS = words(`
  alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t char32_t class
  compl concept const consteval constexpr constinit const_cast continue co_await co_return co_yield decltype
  default delete do double dynamic_cast else enum explicit export extern false float for friend goto if inline
  int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private protected public
  register reinterpret_cast requires return short signed sizeof static static_assert static_cast struct
  switch template this thread_local throw true try typedef typeid typename union unsigned using virtual void
  volatile wchar_t while xor xor_eq final override import module`);

/** Macros the standard headers of the generated C define: they would replace the name anywhere. */
const C_STANDARD_MACROS = words(`
  NULL offsetof assert errno bool true false static_assert alignas alignof noreturn complex imaginary
  PTRDIFF_MIN PTRDIFF_MAX SIZE_MAX WCHAR_MIN WCHAR_MAX WINT_MIN WINT_MAX SIG_ATOMIC_MIN SIG_ATOMIC_MAX
  __cplusplus __STDC__ __STDC_VERSION__ __FILE__ __LINE__ __DATE__ __TIME__`);

/** Ordinary identifiers the standard headers of the generated C declare (typedefs, functions). */
const C_STANDARD_NAMES = words(`
  int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t intptr_t uintptr_t intmax_t uintmax_t
  int_least8_t int_least16_t int_least32_t int_least64_t uint_least8_t uint_least16_t uint_least32_t uint_least64_t
  int_fast8_t int_fast16_t int_fast32_t int_fast64_t uint_fast8_t uint_fast16_t uint_fast32_t uint_fast64_t
  size_t ptrdiff_t wchar_t max_align_t nullptr_t unreachable
  memset memcpy memmove memcmp memchr strlen strcpy strncpy strcat strncat strcmp strncmp strchr strrchr strstr
  strerror strtok strspn strcspn strpbrk strcoll strxfrm strdup strndup memccpy memset_explicit main`);

/** `<stdint.h>` macro families: INT8_MAX, UINT32_C, INT_LEAST16_MIN, INTPTR_WIDTH, ... */
const STDINT_MACRO = /^U?INT(?:8|16|32|64|PTR|MAX|_LEAST(?:8|16|32|64)|_FAST(?:8|16|32|64))?_(?:MIN|MAX|C|WIDTH)$/;
/** `<stdint.h>` type families, including widths C23 may add (int128_t, uint_least24_t, ...). */
const STDINT_TYPE = /^u?int(?:_least|_fast)?\d+_t$/;

/** JavaScript reserved words, strict-mode reserved words, and the literals. */
const JS_RESERVED = words(`
  break case catch class const continue debugger default delete do else enum export extends false finally for
  function if import in instanceof new null return super switch this throw true try typeof var void while with
  implements interface let package private protected public static yield await`);

/** Names strict-mode code (every ES module) cannot declare or take as a parameter. */
const JS_UNBINDABLE = words('arguments eval undefined NaN Infinity globalThis');

/** TypeScript's predefined type names: an interface or type alias cannot take them. */
const TS_TYPE_NAMES = words(`
  any unknown never object string number bigint boolean symbol void null undefined
  Array ReadonlyArray Record Readonly Partial Required Pick Omit Exclude Extract NonNullable ReturnType
  Parameters InstanceType Awaited Promise Map Set WeakMap WeakSet Object Function String Number Boolean Symbol
  BigInt Date RegExp Error DataView ArrayBuffer SharedArrayBuffer Uint8Array Uint16Array Uint32Array Int8Array
  Int16Array Int32Array BigInt64Array BigUint64Array Float32Array Float64Array Uint8ClampedArray
  Iterable Iterator JSON Math Reflect Proxy Atomics`);

/**
 * TypeScript's contextual keywords: ordinary identifiers in most places, but an interface or a
 * type alias cannot take them as its name (`type keyof = ...` does not parse).
 */
const TS_CONTEXTUAL = words(`
  abstract accessor any as asserts assert async bigint boolean constructor declare defer from get global infer
  intrinsic is keyof module namespace never number object of out override readonly require satisfies set
  string symbol type undefined unique unknown using`);

/**
 * Names the generated TypeScript declares at the top level of the SDK and the mock, or imports
 * into them (the SDK's hand-written `MvOut`/`out`, the mock runtime's types). A spec item with one
 * of these names would be declared twice.
 */
const GENERATED_NAMES = words(`
  SPEC DEVICE_ABI FUNCTIONS LIMITS LimitName READABLE_DATA READABLE_DATA_BY_ENUM ENUM_NAMES STATUS_NAMES statusName
  LAYOUTS STRUCT_VERSIONS LITTLE_ENDIAN MvAbi MvParamInfo MvErrorInfo MvFunctionInfo MvLimitKind MvLimitUnit
  MvLimitSource MvLimitInfo MvReadableDataInfo MvStructLayout MvSyscalls MvFunctionName MvOut out
  MockBehaviours MockSyscallsBase STRUCT_SCHEMAS FUNCTION_SCHEMAS MockCall StructSchema FunctionSchema`);

/** Keys with a meaning of their own in a JavaScript object literal or on every object. */
const OBJECT_KEYS = words('__proto__ constructor prototype toString valueOf hasOwnProperty');

/**
 * Parameter names the generated code itself binds beside a call's parameters (the mock's
 * generated methods pass a `call` record first).
 */
const GENERATED_PARAMETERS = words('call');

/** Whether generated code can declare a local variable of this name (a field name may be any of these). */
export function bindable(name: string): boolean {
  return !JS_RESERVED.has(name) && !JS_UNBINDABLE.has(name);
}

/** Where an identifier ends up in the generated code. */
export type NameRole =
  /** struct, enum and typedef names: C tags/typedefs, TS interfaces, types and consts. */
  | 'type'
  /** enum constants: C enumerators, TS `export const`. */
  | 'constant'
  /** functions: C prototypes, methods of TS interfaces and classes. */
  | 'function'
  /** parameters: C parameters, TS parameters. */
  | 'parameter'
  /** struct fields and union members: C members, TS properties and object-literal keys. */
  | 'field'
  /** limits: the C macro suffix and a TS object key. */
  | 'limit';

/** Why `name` cannot be used in `role`, or undefined when it can. */
export function reservedReason(name: string, role: NameRole): string | undefined {
  if (C_KEYWORDS.has(name) || CPP_KEYWORDS.has(name)) return 'a C or C++ keyword';
  if (/^_[A-Z_]/.test(name)) return 'reserved in C and C++ (a leading underscore followed by a capital or another underscore)';
  if (C_STANDARD_MACROS.has(name) || STDINT_MACRO.test(name)) return 'a macro of a C standard header the generated code includes';
  if (OBJECT_KEYS.has(name)) return 'a key with a special meaning on every JavaScript object';
  // Members and limit names live in namespaces of their own in C, and are property keys in TypeScript.
  if (role === 'limit' || role === 'field') return undefined;
  if (C_STANDARD_NAMES.has(name) || STDINT_TYPE.test(name)) return 'declared by a C standard header the generated code includes';
  if (JS_RESERVED.has(name)) return 'a JavaScript reserved word';
  if (JS_UNBINDABLE.has(name)) return 'a name ES modules cannot declare or bind';
  if (role === 'type' && (TS_TYPE_NAMES.has(name) || TS_CONTEXTUAL.has(name))) return 'a predefined TypeScript type or keyword';
  if (GENERATED_NAMES.has(name)) return 'a name the generated TypeScript declares itself';
  if (role === 'parameter' && GENERATED_PARAMETERS.has(name)) return 'a parameter name the generated mock uses itself';
  return undefined;
}
