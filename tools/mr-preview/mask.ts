// Masks credentials in values before they reach a merge-request note. The engine already
// writes "[secret]" for values marked secret; this catches what nobody marked: env
// assignments of passwords, URLs with user:pass@, GitLab/GitHub tokens, random-looking
// strings. It errs towards masking: a masked harmless value costs a reviewer a click on the
// job log, a leaked credential costs a rotation.

import { isCredentialName, looksRandom, MASK, maskCredentials } from "../../components/credentials";

/** Written in place of a value that looks like a credential. */
export const MASKED = MASK;

/** What the engine writes for a value marked secret. */
export const ENGINE_SECRET = "[secret]";

// Key names that hold credentials: FOO_PASSWORD, dbPassword, OIDC_CLIENT_SECRET, apiKey,
// SECRET_KEY, auth.token, privateKey... A bare "key" is excluded on purpose: it is the
// variable name in gitlab ProjectVariable, not a credential.
const SENSITIVE_KEY =
    /(passw(or)?d|passphrase|pwd$|secret|token|credential|private_?key|api_?key|access_?key|[_-]key$|[a-z]Key$|^pat$|bcrypt|htpasswd|auth$|authorization)/i;

// Names that mention a credential but hold where to find it or how it behaves
// (OIDC_TOKEN_URI, PASSWORD_FILE, TOKEN_TTL): their values help review and are not secret.
const DESCRIBES_A_CREDENTIAL = /(ur[il]|endpoint|path|file|dir|ttl|expiry|expires|expiration|length|algorithm|type|enabled|method|scopes?)$/i;

/**
 * Whether a property or variable name says its value is a credential: the config's rule
 * (components/credentials.ts, which refuses such names in plain env) plus the note's own
 * property names (bcrypt, htpasswd, authorization).
 */
export function isSensitiveKey(key: string): boolean {
    if (/^key$/i.test(key)) return false;
    return isCredentialName(key) || (SENSITIVE_KEY.test(key) && !DESCRIBES_A_CREDENTIAL.test(key));
}

export { looksRandom };

// A whole value of the form NAME=value (a docker env entry): everything after "=" is the value.
const WHOLE_ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_.-]*)=([\s\S]+)$/;

// Identifiers (Cloudflare zoneId, accountId, OAuth clientId) are 32-hex and random by
// design but not credentials; reviewers need to see them change. So are the content hashes
// in commands' `triggers` (a secret trigger arrives as "[secret]" from the engine anyway).
const IDENTIFIER_KEY = /(^id$|Id$|_id$|ID$|^uuid$|^triggers$)/;

/**
 * A release fingerprint (components/docker/release.ts, the `keepers.fingerprint` of an app's
 * release id): 32 hex characters of a sha256, random-looking but no credential (the program
 * unsecrets it; it reveals none of the inputs it hashes). Kept only under the key `fingerprint`
 * and only in exactly this shape: reviewers see a release renewed, anything else there is masked.
 */
const RELEASE_FINGERPRINT = /^[0-9a-f]{32}$/;

/**
 * Masks every credential-looking part of one string value, by the same value-shape rules the
 * config refuses plaintext credentials with. `key` is the property the string sits under, when known.
 */
export function maskString(text: string, key?: string): string {
    if (text === ENGINE_SECRET) return text;
    if (key === "fingerprint" && RELEASE_FINGERPRINT.test(text)) return text;
    const whole = WHOLE_ASSIGNMENT.exec(text);
    if (whole && isSensitiveKey(whole[1]) && whole[2] !== ENGINE_SECRET) return `${whole[1]}=${MASKED}`;
    return maskCredentials(text, { keepRandomRuns: key !== undefined && IDENTIFIER_KEY.test(key), markers: [ENGINE_SECRET] });
}

/**
 * Masks a property value. `key` is the property name the value sits under: a string under
 * a sensitive name is masked whole, whatever it looks like.
 */
export function maskValue(value: unknown, key?: string): unknown {
    if (typeof value === "string") {
        if (value === ENGINE_SECRET) return value;
        if (key !== undefined && isSensitiveKey(key) && value.length > 0) return MASKED;
        return maskString(value, key);
    }
    if (Array.isArray(value)) return value.map((item) => maskValue(item, key));
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [childKey, child] of Object.entries(value as Record<string, unknown>)) {
            out[childKey] = maskValue(child, childKey);
        }
        return out;
    }
    // A number under a sensitive key (a numeric PIN) is masked too; booleans never hold one.
    if (key !== undefined && isSensitiveKey(key) && typeof value === "number") return MASKED;
    return value;
}
