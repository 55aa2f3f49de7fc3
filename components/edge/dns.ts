import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { RouteTable } from "./types";

export interface DnsArgs {
    readonly table: RouteTable;
    /** Cloudflare zone name, e.g. "restry.cn"; its id is looked up with the API token. */
    readonly zone: string;
    /** Public IPv4 of the relay (frps) every name points at. */
    readonly relayAddress: string;
}

/** One DNS record to create: plain data, derived from the route table. */
export interface DnsRecordSpec {
    readonly service: string;
    /** Full name: Cloudflare v5+ stores FQDNs, a relative name drifts on refresh. */
    readonly name: string;
    readonly proxied: boolean;
}

/** Every public hostname of the stack; the SSH name is never proxied (Cloudflare proxies HTTP only). */
export function dnsRecordsFor(table: RouteTable): DnsRecordSpec[] {
    return [
        ...table.http.map((r) => ({ service: r.service, name: r.hostname, proxied: r.proxied })),
        ...table.tcp.map((r) => ({ service: r.service, name: r.hostname, proxied: false })),
    ];
}

/** Cloudflare A records of the stack's hostnames, all pointing at the relay. */
export class Dns extends pulumi.ComponentResource {
    readonly records: cloudflare.DnsRecord[];

    constructor(name: string, args: DnsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:edge:Dns", name, {}, opts);
        const zoneId = cloudflare.getZoneOutput({ filter: { name: args.zone } }, { parent: this }).zoneId;
        this.records = dnsRecordsFor(args.table).map(
            (spec) =>
                new cloudflare.DnsRecord(
                    `${name}-${spec.service}`,
                    {
                        zoneId,
                        name: spec.name,
                        type: "A",
                        content: args.relayAddress,
                        // 1 = automatic; required by the v6 provider.
                        ttl: 1,
                        proxied: spec.proxied,
                        comment: `nexora ${args.table.stack}: ${spec.service} (managed by Pulumi)`,
                    },
                    { parent: this },
                ),
        );
        this.registerOutputs({ hostnames: this.records.map((r) => r.name) });
    }
}
