import { setFlagsFromString } from "node:v8";

/**
 * The V8 in Node 24 can abort the whole process ("Check failed: jit_page.has_value()") when a
 * WebAssembly-to-JavaScript call wrapper tiers up: the tier-up frees the old wrapper from the
 * import-wrapper cache and the lookup of its code page fails (native stack: Runtime_TierUpWasmToJSWrapper
 * -> WasmCodeRefScope -> WasmEngine::FreeDeadCode -> WasmImportWrapperCache::Free -> WasmCodeAllocator::FreeCode).
 * It killed a replica in CI while PGlite started. PGlite and fetch's HTTP parser (llhttp) are
 * WebAssembly that calls into JavaScript, so every process of the service runs that path.
 *
 * A budget no process reaches keeps those calls on the generic wrapper, which is never freed.
 * The price is about 25 ns a call from WebAssembly into JavaScript (8 -> 30 ns, measured on this
 * machine), paid by the embedded PostgreSQL and by fetch, neither on the ingest or query hot path.
 * Must run before the first WebAssembly instance is created: the budget is read at instantiation.
 */
export const WASM_WRAPPER_TIERING_FLAG = "--wasm-wrapper-tiering-budget";

export function keepWasmImportWrappersGeneric(): void {
  setFlagsFromString(`${WASM_WRAPPER_TIERING_FLAG}=${2 ** 31 - 1}`);
}
