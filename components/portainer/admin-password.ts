import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { servicePort } from "../catalog";
import { shellQuote } from "../docker/exec";
import { DEFAULT_IMAGES } from "../images";

/**
 * Where an adoption records the Portainer admin's previous password, inside Portainer's data
 * volume (mode 600, written by `npm run adopt`): Portainer applies `--admin-password` only to
 * empty data, so adopted data keeps its old password until this is rotated. Removed once rotated.
 */
export const PORTAINER_PREVIOUS_PASSWORD_RECORD = "/data/.nexora-previous-admin-password";

/**
 * Shell run in the API client container (Portainer's network namespace, its data volume at
 * /data): with a recorded previous password, logs in with it (retrying while Portainer starts)
 * and changes the admin's password to the one on stdin through `PUT /api/users/{id}/passwd`
 * (Portainer wants the current password there, even from an admin), then removes the record.
 * Without a record there is nothing to do. Passwords travel in shell variables, through printf
 * (a shell builtin) into curl's stdin: never as an argument.
 */
export function portainerAdminPasswordScript(): string {
    return [
        "set -eu",
        `record=${PORTAINER_PREVIOUS_PASSWORD_RECORD}`,
        `if [ ! -f "$record" ]; then echo "portainer: no previous admin password recorded; nothing to rotate" >&2; exit 0; fi`,
        `IFS= read -r new || [ -n "$new" ]`,
        `[ -n "$new" ] || { echo "portainer: no new admin password on stdin" >&2; exit 1; }`,
        `old=$(cat "$record")`,
        // JSON string content: the generated password is letters and digits; the old one may hold " or \.
        `esc() { printf '%s' "$1" | sed -e 's/\\\\/\\\\\\\\/g' -e 's/"/\\\\"/g'; }`,
        `login() { printf '{"Username":"%s","Password":"%s"}' "$PORTAINER_USER" "$(esc "$1")" | curl -fsS -H 'Content-Type: application/json' --data-binary @- "$PORTAINER_API/auth" 2>/dev/null | sed -n 's/.*"jwt" *: *"\\([^"]*\\)".*/\\1/p'; }`,
        "tries=0",
        "while :; do",
        `  jwt=$(login "$old") || true`,
        `  [ -n "$jwt" ] && break`,
        // A re-run after the record could not be removed: the new password logs in already.
        `  if [ -n "$(login "$new" || true)" ]; then rm -f "$record"; echo "portainer: admin password already rotated" >&2; exit 0; fi`,
        "  tries=$((tries + 1))",
        `  [ "$tries" -lt 30 ] || { echo "portainer: admin login with the recorded previous password failed" >&2; exit 1; }`,
        "  sleep 5",
        "done",
        `header="\${TMPDIR:-/tmp}/portainer-auth"`,
        `printf 'Authorization: Bearer %s\\n' "$jwt" > "$header"`,
        // Portainer's user list: one object per user, "Id" and "Username" first in each.
        `id=$(curl -fsS -H "@$header" "$PORTAINER_API/users" | tr '{' '\\n' | grep "\\"Username\\":\\"$PORTAINER_USER\\"" | sed -n 's/.*"Id":\\([0-9][0-9]*\\).*/\\1/p' | head -n 1)`,
        `[ -n "$id" ] || { echo "portainer: no user $PORTAINER_USER" >&2; exit 1; }`,
        `printf '{"Password":"%s","NewPassword":"%s"}' "$(esc "$old")" "$(esc "$new")" | curl -fsS -o /dev/null -X PUT -H "@$header" -H 'Content-Type: application/json' --data-binary @- "$PORTAINER_API/users/$id/passwd"`,
        `rm -f "$record"`,
        `echo "portainer: admin password rotated" >&2`,
    ].join("\n");
}

export interface PortainerAdminPasswordArgs {
    /** DOCKER_HOST for the docker CLI on the machine running Pulumi (the host Portainer runs on). */
    readonly dockerHost: string;
    /** Name of the running Portainer container; the API client joins its network namespace. */
    readonly portainerContainer: pulumi.Input<string>;
    /** Portainer's data volume, where the adoption recorded the previous password. */
    readonly dataVolume: pulumi.Input<string>;
    /** The program's generated admin password (the one its `--admin-password` hash was made from). */
    readonly password: pulumi.Output<string>;
    /** @default "admin" */
    readonly adminUsername?: string;
    /** The curl image the calls run in (`nexora:images.portainerApiClient`). @default DEFAULT_IMAGES.portainerApiClient */
    readonly clientImage?: string;
}

/**
 * Rotates the admin password of adopted Portainer data to the program's generated one (see
 * {@link portainerAdminPasswordScript}); a no-op on data Portainer initialised itself. Pass the
 * Portainer container in `opts.dependsOn`; whatever logs in with the generated password depends on this.
 */
export class PortainerAdminPassword extends pulumi.ComponentResource {
    readonly command: command.local.Command;

    constructor(name: string, args: PortainerAdminPasswordArgs, opts?: pulumi.ComponentResourceOptions) {
        const user = args.adminUsername ?? "admin";
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(user)) throw new Error(`Portainer admin username must be a plain username, got ${JSON.stringify(user)}`);
        super("nexora:portainer:AdminPassword", name, {}, opts);
        const image = args.clientImage ?? DEFAULT_IMAGES.portainerApiClient;
        this.command = new command.local.Command(
            `${name}-rotate`,
            {
                create: pulumi.interpolate`docker run --rm -i --network container:${args.portainerContainer} -v ${args.dataVolume}:/data -e PORTAINER_API -e PORTAINER_USER --entrypoint sh ${image} -c ${shellQuote(portainerAdminPasswordScript())}`,
                stdin: pulumi.secret(pulumi.interpolate`${args.password}\n`),
                environment: { DOCKER_HOST: args.dockerHost, PORTAINER_API: `http://127.0.0.1:${servicePort("portainer")}/api`, PORTAINER_USER: user },
                triggers: [pulumi.secret(args.password)],
                logging: command.types.enums.local.Logging.Stderr,
                addPreviousOutputInEnv: false,
            },
            { parent: this, dependsOn: opts?.dependsOn, additionalSecretOutputs: ["stdout", "stderr"] },
        );
        this.registerOutputs({});
    }
}
