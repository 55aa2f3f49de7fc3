/**
 * The two runtime values the pack takes from @pulumi/policy's `proxy` module, the one file of the
 * SDK that requires nothing else. The package's index also loads its gRPC server and with it a
 * whole @pulumi/pulumi: from policies/node_modules (the pack's own install) that is a second copy
 * of the SDK next to the program's, about 1 s of module load on every `npm run plan`. The engine's
 * analyzer loads the index (policies/index.ts), which re-exports this same module instance.
 */
import * as proxy from "@pulumi/policy/proxy";

// The SDK exports both at runtime but ships no typings for them (proxy.d.ts is empty).
const sdk = proxy as unknown as {
    unknownCheckingProxy: <T>(value: T) => T;
    UnknownValueError?: new (...args: never[]) => Error;
};

/** Wraps a props object as the engine does: reading an unknown value throws UnknownValueError. */
export const unknownCheckingProxy = sdk.unknownCheckingProxy;
/** The SDK's UnknownValueError class. */
export const UnknownValueError = sdk.UnknownValueError;
