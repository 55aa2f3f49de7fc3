/**
 * Is a credential strong enough? NIST SP 800-63B style: a minimum length, a blocklist of whole
 * values, no composition rules, plus zxcvbn-ts's guess-based score with the resource's own names
 * as user inputs (zxcvbn alone rates "minioadmin" as fair; it rates "pyerp-pyerp-2024" low only if
 * it knows "pyerp" is the service).
 */
import { createHash } from "node:crypto";
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary } from "@zxcvbn-ts/language-common";
import { isDenylisted } from "./vendor-defaults";

export type Weakness =
    | { readonly kind: "denylisted" }
    | { readonly kind: "equals-username" }
    | { readonly kind: "too-short"; readonly minLength: number }
    | { readonly kind: "low-score"; readonly score: number; readonly minScore: number }
    | { readonly kind: "context-words"; readonly minScore: number };

export interface StrengthRules {
    /** Lowest zxcvbn score accepted (0–4). */
    readonly minScore: number;
    /** Shortest value accepted, in characters. */
    readonly minLength: number;
    /** Extra whole values to reject besides the vendor defaults. */
    readonly additionalDenylist?: readonly string[];
}

export interface SecretContext {
    /** Words an attacker knows about the target: service, image, resource and user names. */
    readonly userInputs?: readonly string[];
    /** The user name that goes with this password, when known. */
    readonly username?: string;
}

let factory: ZxcvbnFactory | undefined;

// Built on first use: the common-password dictionary is decompressed and ranked once per process.
// l33tMaxSubstitutions 20 (default 100) makes a 32-character generated password ~3x cheaper to
// score; guessable l33t passwords (p@$$w0rd, 4dm1n1str4t0r) have far fewer substitutions.
function zxcvbn(): ZxcvbnFactory {
    factory ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs, l33tMaxSubstitutions: 20 });
    return factory;
}

// Scores already computed in this process, by a SHA-256 of value and inputs (no credential is
// kept): one stack passes the same generated password to several resources, and a pack run per
// stack in one process (npm run policy, the tests) meets the same values again. A 24-character
// password costs about 8 ms of zxcvbn; a hit costs a hash.
const scores = new Map<string, number>();
const MAX_CACHED_SCORES = 50_000;

/** The zxcvbn score (0–4) of `value` given what an attacker knows. */
export function zxcvbnScore(value: string, userInputs: readonly string[] = []): number {
    const key = createHash("sha256")
        .update(JSON.stringify([value, userInputs]))
        .digest("base64");
    const cached = scores.get(key);
    if (cached !== undefined) return cached;
    const score = zxcvbn().check(value, [...userInputs]).score;
    if (scores.size >= MAX_CACHED_SCORES) scores.clear();
    scores.set(key, score);
    return score;
}

/**
 * The reasons `value` is too weak, cheapest check first, computed only as far as the caller reads:
 * zxcvbn (about 0.4 ms a value) runs only when asked for the next reason after the cheap ones.
 * Never echoes the value.
 */
export function* weaknessesOf(value: string, rules: StrengthRules, context: SecretContext = {}): Generator<Weakness, void, undefined> {
    if (isDenylisted(value, rules.additionalDenylist)) {
        yield { kind: "denylisted" };
    }
    if (context.username !== undefined && context.username.trim().toLowerCase() === value.trim().toLowerCase()) {
        yield { kind: "equals-username" };
    }
    // Characters, not UTF-16 units: NIST counts each Unicode character once.
    if ([...value].length < rules.minLength) {
        yield { kind: "too-short", minLength: rules.minLength };
    }
    if (rules.minScore <= 0) {
        return; // every zxcvbn score passes: no need to compute one
    }
    const inputs = [...(context.userInputs ?? []), ...(context.username !== undefined ? [context.username] : [])];
    const score = zxcvbnScore(value, inputs);
    if (score < rules.minScore) {
        yield { kind: "low-score", score, minScore: rules.minScore };
    } else if (withoutContextWords(value, inputs) !== value) {
        // zxcvbn often prices "nexora-pyerp-2024" as brute force despite the user inputs (its
        // optimal-path search prefers short bruteforce runs): judge what is left without the names,
        // and without the filler people put between them ("pyerp_smtp_pass_2024!" leaves nothing).
        const rest = withoutFiller(withoutContextWords(value, inputs));
        if (zxcvbnScore(rest) < rules.minScore) {
            yield { kind: "context-words", minScore: rules.minScore };
        }
    }
}

/** Every reason `value` is too weak (empty when it is acceptable), for violation messages. */
export function assessSecret(value: string, rules: StrengthRules, context: SecretContext = {}): Weakness[] {
    return [...weaknessesOf(value, rules, context)];
}

/** Whether `value` is too weak: the same decision as `assessSecret(...).length > 0`, stopping at the first reason. */
export function isWeak(value: string, rules: StrengthRules, context: SecretContext = {}): boolean {
    return !weaknessesOf(value, rules, context).next().done;
}

/**
 * What people pad known words with: credential words, years, and separators or symbols. Judged
 * only once a known word was found, so a random password keeps its letters and digits.
 */
const FILLER_WORDS = ["password", "passwort", "passwd", "secret", "token", "admin", "login", "pass", "pwd", "key", "pin"];
function withoutFiller(value: string): string {
    let rest = value.replace(/[^\p{L}\p{N}]+/gu, " ");
    for (const word of FILLER_WORDS) {
        rest = rest.replace(new RegExp(word, "gi"), " ");
    }
    return rest.replace(/(?:19|20)\d\d/g, " ").replace(/\s+/g, "");
}

/** `value` with every user input of 3+ characters removed, case-insensitively (longest first). */
function withoutContextWords(value: string, inputs: readonly string[]): string {
    const words = [...new Set(inputs.map((w) => w.toLowerCase()).filter((w) => w.length >= 3))].sort((a, b) => b.length - a.length);
    let rest = value;
    for (const word of words) {
        rest = rest.replace(new RegExp(word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"), "");
    }
    return rest;
}

/** "a vendor default or common value; shorter than 15 characters" — for violation messages. */
export function describeWeaknesses(weaknesses: readonly Weakness[]): string {
    return weaknesses
        .map((w) => {
            switch (w.kind) {
                case "denylisted":
                    return "a vendor default or denylisted value";
                case "equals-username":
                    return "the same as its user name";
                case "too-short":
                    return `shorter than ${w.minLength} characters`;
                case "low-score":
                    return `zxcvbn score ${w.score}, needs ${w.minScore}`;
                case "context-words":
                    return `made of the service, image, resource or user names (the rest scores below ${w.minScore})`;
            }
        })
        .join("; ");
}

/**
 * User inputs from a name: the whole name and its parts ("nexora-dev-gitlab-ce" adds "nexora",
 * "dev", "gitlab", "ce"), since zxcvbn matches user inputs as whole dictionary words.
 */
export function nameInputs(...names: (string | undefined)[]): string[] {
    const out = new Set<string>();
    for (const name of names) {
        if (name === undefined || name === "") {
            continue;
        }
        out.add(name.toLowerCase());
        for (const part of name.toLowerCase().split(/[^a-z0-9]+/)) {
            if (part.length >= 3) {
                out.add(part);
            }
        }
    }
    return [...out];
}
