import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** Length of every generated password; the policy pack's minimum is 24. */
export const GENERATED_PASSWORD_LENGTH = 32;

/**
 * A generated password (RandomPassword marks `result` and `bcryptHash` secret; RandomString
 * would not). Letters and digits only: the value lands in URLs, SQL, Ruby and shell without
 * escaping surprises, and 32 of them carry ~190 bits.
 */
export function generatedPassword(name: string, parent: pulumi.Resource, length = GENERATED_PASSWORD_LENGTH): random.RandomPassword {
    return new random.RandomPassword(name, { length, special: false, minLower: 2, minUpper: 2, minNumeric: 2 }, { parent });
}

/** One generated password per key, `${prefix}-${key}-password`: the per-consumer database credentials. */
export function generatedPasswords(prefix: string, keys: readonly string[], parent: pulumi.Resource): Record<string, pulumi.Output<string>> {
    return Object.fromEntries(keys.map((key) => [key, generatedPassword(`${prefix}-${key}-password`, parent).result]));
}
