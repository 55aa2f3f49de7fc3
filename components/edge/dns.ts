import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { RouteTable } from "./types";

export interface DnsArgs {
    readonly table: RouteTable;
    /** Cloudflare zone name, e.g. "restry.cn"; its id is looked up with the API token. */
    readonly zone: string;
    /** Public IPv4 of the relay (frps) every name points at. */
    readonly relayAddress: string;
    /**
     * Records that already exist (an adopted deployment's), by the record's route name: the import ID
     * `<zone_id>/<dns_record_id>` of @pulumi/cloudflare 6.x. Imported, then updated in place to the
     * program's content, proxy and comment (the provider updates records with a PATCH); a record in
     * another zone would be replaced, which the adoption's preview refuses. @default none
     */
    readonly imports?: Readonly<Record<string, string>>;
}

/** Resource options of an imported record: retained on delete, since the deployment it came from may need it back. */
export function importedRecordOptions(importId: string): pulumi.CustomResourceOptions {
    return { import: importId, retainOnDelete: true };
}

/** One DNS record to create: plain data, derived from the route table. */
export interface DnsRecordSpec {
    /** The route the record serves (its route name). */
    readonly route: string;
    /** Full name: Cloudflare v5+ stores FQDNs, a relative name drifts on refresh. */
    readonly name: string;
    readonly proxied: boolean;
}

/** Every public hostname of the stack; the SSH name is never proxied (Cloudflare proxies HTTP only). */
export function dnsRecordsFor(table: RouteTable): DnsRecordSpec[] {
    return [
        ...table.http.map((r) => ({ route: r.name, name: r.hostname, proxied: r.proxied })),
        ...table.tcp.map((r) => ({ route: r.name, name: r.hostname, proxied: false })),
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
                    `${name}-${spec.route}`,
                    {
                        zoneId,
                        name: spec.name,
                        type: "A",
                        content: args.relayAddress,
                        // 1 = automatic; required by the v6 provider.
                        ttl: 1,
                        proxied: spec.proxied,
                        comment: `nexora ${args.table.stack}: ${spec.route} (managed by Pulumi)`,
                    },
                    { parent: this, ...(args.imports?.[spec.route] === undefined ? {} : importedRecordOptions(args.imports[spec.route]!)) },
                ),
        );
        this.registerOutputs({ hostnames: this.records.map((r) => r.name) });
    }
}
