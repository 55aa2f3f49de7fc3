import type * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { dockerExec } from "../docker/exec";

/**
 * Caddy's internal CA (`tls internal`, the dev stack) made trusted by the services that call
 * GitLab's public URL from inside their containers: Outline, Grafana, Portainer and the apps
 * exchange OAuth codes for tokens server to server. Caddy keeps the CA's root certificate in its
 * data volume; it is read once Caddy runs its config and uploaded to each consumer.
 */

/**
 * Where Caddy keeps the root certificate of its internal CA (`tls internal`): `$XDG_DATA_HOME/caddy/
 * pki/authorities/local/root.crt`, and the official image sets XDG_DATA_HOME=/data.
 */
export const CADDY_LOCAL_ROOT_CERT = "/data/caddy/pki/authorities/local/root.crt";
/** Where each consumer finds the root certificate. */
export const INTERNAL_CA_DIR = "/etc/nexora/tls";
export const INTERNAL_CA_FILE = `${INTERNAL_CA_DIR}/caddy-internal-root.crt`;
/** Seconds the read waits for Caddy to create its CA (it does so when it loads a config with `tls internal`). */
export const INTERNAL_CA_WAIT_SECONDS = 60;

/** Prints the root certificate once it exists; fails after the wait. Constant: no config value reaches it. */
export const READ_INTERNAL_CA_SCRIPT = [
    `f=${CADDY_LOCAL_ROOT_CERT}`,
    "i=0",
    'while [ ! -s "$f" ]; do',
    `    if [ "$i" -ge ${INTERNAL_CA_WAIT_SECONDS} ]; then echo "caddy has no internal root CA at $f after ${INTERNAL_CA_WAIT_SECONDS} s" >&2; exit 1; fi`,
    "    i=$((i + 1)); sleep 1",
    "done",
    'cat "$f"',
].join("\n");

/** The trusted root and what consumers need besides it. */
export interface InternalCa {
    /** The PEM root certificate (public; kept secret in state only because command output is). */
    readonly pem: pulumi.Output<string>;
    /** Caddy's fixed address on the edge network, where GitLab's public name resolves inside it. */
    readonly caddyAddress: string;
}

/** The upload that puts the root certificate into a consumer container; none (not an empty list, which would be a diff) without a CA. */
export function internalCaUploads(ca: InternalCa | undefined): { file: string; content: pulumi.Input<string> }[] | undefined {
    return ca === undefined ? undefined : [{ file: INTERNAL_CA_FILE, content: ca.pem }];
}

/**
 * Reads the root certificate from the running Caddy container. Re-read when the container is
 * replaced; the CA itself lives on the protected data volume, so it stays the same and the
 * consumers are not replaced.
 */
export function readInternalCa(
    name: string,
    args: { dockerHost: string; caddyContainer: pulumi.Input<string>; caddyContainerId: pulumi.Input<string>; caddyAddress: string },
    opts: pulumi.CustomResourceOptions,
): { read: command.local.Command; ca: InternalCa } {
    const read = dockerExec(
        name,
        { dockerHost: args.dockerHost, containerName: args.caddyContainer, script: READ_INTERNAL_CA_SCRIPT, triggers: [args.caddyContainerId] },
        opts,
    );
    return { read, ca: { pem: read.stdout, caddyAddress: args.caddyAddress } };
}
