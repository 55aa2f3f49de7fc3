/**
 * Which input names hold credentials, and which sibling input names the matching user.
 * Names come in every style (POSTGRES_PASSWORD, apiToken, db_password, auth.token,
 * --admin-password), so they are split into upper-cased words first.
 */

/** "GF_SECURITY_ADMIN_PASSWORD" → ["GF","SECURITY","ADMIN","PASSWORD"]; "apiToken" → ["API","TOKEN"]. */
export function keyWords(key: string): string[] {
    return key
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .split(/[^A-Za-z0-9]+/)
        .filter((w) => w.length > 0)
        .map((w) => w.toUpperCase());
}

// Substrings that make a word a credential word wherever they appear (PGPASSWORD, MYSQLPASSWORD).
// WEBHOOK: an incoming webhook's URL is its credential (whoever holds it can post as the bot).
const CREDENTIAL_SUBSTRINGS = ["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "WEBHOOK"];
// Whole words that name a credential on their own (Redis's requirepass / masterauth).
const CREDENTIAL_NAMES = new Set(["REQUIREPASS", "MASTERAUTH", "MASTERPASS"]);
// Whole words that are credential words only next to another word (a lone PWD is the working directory).
const CREDENTIAL_WORDS = new Set(["PWD", "PASS", "PSK"]);
// Words that turn a credential-looking name into something else: a file path, a flag, a URL, a name, an id.
const NON_CREDENTIAL_WORDS = new Set([
    "FILE",
    "FILES",
    "PATH",
    "DIR",
    "METHOD",
    "ALLOW",
    "RANDOM",
    "URI",
    "URL",
    "ENDPOINT",
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "TTL",
    "LENGTH",
    "MIN",
    "MAX",
    "TYPE",
    "NAME",
    "ID",
    "PUBLIC",
    "HEADER",
    "ENABLE",
    "ENABLED",
    "DISABLE",
    "DISABLED",
    "REQUIRE",
    "REQUIRED",
    "POLICY",
    "FORMAT",
    "ALGORITHM",
    "PROVIDER",
    "COMMAND",
    "CMD",
    "REF",
    "VERSION",
    "LIFETIME",
    "TIMEOUT",
    "RESET",
    "EXPIRE",
    "SCOPE",
    "SCOPES",
]);

/** True when an input, env variable or config key of this name holds a credential. */
export function isCredentialKey(key: string): boolean {
    const words = keyWords(key);
    if (words.length === 0 || words.some((w) => NON_CREDENTIAL_WORDS.has(w))) {
        return false;
    }
    for (let i = 0; i < words.length; i++) {
        const w = words[i];
        if (CREDENTIAL_SUBSTRINGS.some((s) => w.includes(s))) {
            return true;
        }
        if (CREDENTIAL_NAMES.has(w) || (CREDENTIAL_WORDS.has(w) && words.length > 1)) {
            return true;
        }
        // *_KEY (SECRET_KEY, API_KEY, PRIVATE_KEY) and Rails-style *_KEY_BASE; a lone "key" is a name field.
        if (w === "KEY" && i > 0 && (i === words.length - 1 || (i === words.length - 2 && words[i + 1] === "BASE"))) {
            return true;
        }
    }
    return false;
}

/** True for names of password-like credentials (the ones that come with a user name). */
export function isPasswordKey(key: string): boolean {
    return isCredentialKey(key) && keyWords(key).some((w) => w.includes("PASSWORD") || w.includes("PASSWD") || w === "PWD" || w === "PASS");
}

const PASSWORD_WORD = /(passwd|password|pwd|pass)/i;
const USER_WORDS = ["user", "username", "login", "usr"];

// Users some images create when only the password is given.
const IMPLICIT_USERS: Record<string, string> = {
    POSTGRES_PASSWORD: "postgres",
    PGPASSWORD: "postgres",
};

function matchCase(template: string, word: string): string {
    if (template === template.toUpperCase()) {
        return word.toUpperCase();
    }
    if (template[0] === template[0].toUpperCase()) {
        return word[0].toUpperCase() + word.slice(1);
    }
    return word;
}

/**
 * The user name that goes with a password-like key, from sibling values: DB_PASSWORD → DB_USER /
 * DB_USERNAME, db_password → db_username, a `username` beside a `password`, ROOT/ADMIN in the name,
 * or the image's implicit user. Undefined when none is known.
 */
export function pairedUsername(key: string, siblings: ReadonlyMap<string, string>): string | undefined {
    if (!isPasswordKey(key)) {
        return undefined;
    }
    const match = PASSWORD_WORD.exec(key);
    if (match) {
        const candidates = USER_WORDS.map((userWord) => key.slice(0, match.index) + matchCase(match[0], userWord) + key.slice(match.index + match[0].length));
        // Exact spellings first; a case-insensitive match only when none exists.
        const lowerSiblings = new Map([...siblings].map(([k, v]) => [k.toLowerCase(), v]));
        for (const lookup of [(k: string) => siblings.get(k), (k: string) => lowerSiblings.get(k.toLowerCase())]) {
            for (const candidate of candidates) {
                const value = lookup(candidate);
                if (value !== undefined && value !== "") {
                    return value;
                }
            }
        }
    }
    for (const plain of ["username", "user", "login"]) {
        const value = siblings.get(plain);
        if (value !== undefined && value !== "") {
            return value;
        }
    }
    const words = keyWords(key);
    if (words.includes("ROOT")) {
        return "root";
    }
    if (words.includes("ADMIN")) {
        return "admin";
    }
    return IMPLICIT_USERS[key.toUpperCase()];
}

/** True for names of user-name inputs (their values feed zxcvbn as user inputs). */
export function isUserKey(key: string): boolean {
    const words = keyWords(key);
    return words.some((w) => ["USER", "USERNAME", "LOGIN", "USR", "OWNER"].includes(w)) && !isCredentialKey(key);
}
