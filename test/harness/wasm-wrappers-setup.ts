// Every test worker runs WebAssembly (fetch's parser, PGlite) before it may open any store: the
// same V8 work-around as the service's, from the start (src/runtime/wasm-import-wrappers.ts).
import { keepWasmImportWrappersGeneric } from "../../src/runtime/wasm-import-wrappers.js";

keepWasmImportWrappersGeneric();
