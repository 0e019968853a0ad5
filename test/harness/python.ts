import { existsSync } from "node:fs";
import { requiredBackends } from "./backends.js";

/**
 * The Python with test/python/requirements.txt that scripts/stack.sh installs (NELITI_PYTHON, from
 * `stack.sh env`); REQUIRE_BACKENDS=python makes its absence a failure, as CI does.
 */
export function python(): string | undefined {
  const path = process.env.NELITI_PYTHON;
  if (path && existsSync(path)) return path;
  if (requiredBackends().has("python")) throw new Error("REQUIRE_BACKENDS names python, but NELITI_PYTHON is not set to a Python with test/python/requirements.txt (scripts/stack.sh install tools)");
  return undefined;
}
