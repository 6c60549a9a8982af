// Jest's test realm has its own globalThis. @google/genai looks up Node's undici dispatcher through
// globalThis[Symbol.for('undici.globalDispatcher.1')], which lives on the outer realm; copy it in.
const NodeEnvironment = require('jest-environment-node').TestEnvironment;

class MaspoNodeEnvironment extends NodeEnvironment {
  async setup() {
    await super.setup();
    new Headers(); // makes Node initialise its bundled undici and the global dispatcher
    const key = Symbol.for('undici.globalDispatcher.1');
    if (globalThis[key] && !this.global[key]) this.global[key] = globalThis[key];
  }
}

module.exports = MaspoNodeEnvironment;
