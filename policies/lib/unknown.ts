/**
 * Reading policy inputs safely during `pulumi preview`.
 *
 * The engine hands policies a proxy that throws `UnknownValueError` when a value that is not known
 * until the update runs (an Output of a resource not created yet) is read. Letting that escape makes
 * the engine skip the whole policy for the resource with an advisory note, so every read here goes
 * through `read`, which turns the throw into the `UNKNOWN` marker and lets the caller skip just
 * that one value.
 */
import { UnknownValueError as sdkUnknownValueError } from "./sdk-proxy";

/** Marker for a value the engine cannot know yet (preview only). */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;

/**
 * True for the SDK's UnknownValueError. The duck-typed branch covers a second copy of
 * @pulumi/policy (policies/node_modules next to the root one), whose class is a different object.
 */
export function isUnknownValueError(err: unknown): boolean {
    if (sdkUnknownValueError !== undefined && err instanceof sdkUnknownValueError) {
        return true;
    }
    return err instanceof Error && err.constructor.name === "UnknownValueError" && Array.isArray((err as { props?: unknown }).props);
}

/** `container[key]`, or `UNKNOWN` when the engine cannot know it yet. Other errors propagate. */
export function read(container: unknown, key: string | number): unknown {
    if (container === null || typeof container !== "object") {
        return undefined;
    }
    try {
        return (container as Record<string | number, unknown>)[key];
    } catch (err) {
        if (isUnknownValueError(err)) {
            return UNKNOWN;
        }
        throw err;
    }
}

/** `read` for a string input: the string, or undefined when absent, unknown or not a string. */
export function readString(container: unknown, key: string | number): string | undefined {
    const value = read(container, key);
    return typeof value === "string" ? value : undefined;
}

/** The known elements of an array input with their indexes; unknown elements are skipped one by one. */
export function knownIndexed(value: unknown): [number, unknown][] {
    if (!Array.isArray(value)) {
        return [];
    }
    const out: [number, unknown][] = [];
    const length = (value as unknown[]).length;
    for (let i = 0; i < length; i++) {
        const element = read(value, i);
        if (element !== UNKNOWN) {
            out.push([i, element]);
        }
    }
    return out;
}

/** The known elements of an array input; unknown elements are skipped one by one. */
export function knownElements(value: unknown): unknown[] {
    return knownIndexed(value).map(([, element]) => element);
}

/** The known `[key, value]` pairs of an object input; unknown values are skipped one by one. */
export function knownEntries(value: unknown): [string, unknown][] {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return [];
    }
    const out: [string, unknown][] = [];
    // Object.keys does not run getters or the proxy's get trap, so it never throws for unknowns.
    for (const key of Object.keys(value)) {
        const v = read(value, key);
        if (v !== UNKNOWN) {
            out.push([key, v]);
        }
    }
    return out;
}
