/**
 * Uptime Kuma shows the same monitors, declared as AutoKuma static monitor files.
 *
 * Why AutoKuma (BigBoot/AutoKuma): Uptime Kuma 2.x has no stable write API, only the socket.io
 * protocol of its own UI, which changes between versions. AutoKuma tracks that protocol per Uptime
 * Kuma major (its `latest` images are for 2.x), creates, updates and deletes the monitors it owns
 * (tagged), and reads them from JSON files in a directory (`AUTOKUMA__STATIC_MONITORS`; the file name
 * is the monitor's id). Files suit this program better than its Docker labels: the monitors are
 * not about one container, and a changed file does not replace a service container. The Terraform
 * provider would need the Terraform bridge and the same socket.io protocol underneath.
 */
import { routeUrl } from "../edge/routes";
import type { RouteTable } from "../edge/types";
import type { Monitor } from "./monitors";

/** One AutoKuma static monitor: its file name (the AutoKuma id) and JSON content. */
export interface KumaMonitorFile {
    readonly file: string;
    readonly content: string;
}

export interface KumaOptions {
    readonly routes: RouteTable;
    /** Base URL of Prometheus as Uptime Kuma reaches it (http://nexora-<stack>-prometheus:9090). */
    readonly prometheusUrl: string;
    readonly intervalSeconds: number;
}

/** The keyword Prometheus' query API answers with when an alert expression finds nothing failing. */
export const HEALTHY_KEYWORD = '"result":[]';

/**
 * One Uptime Kuma monitor per monitor: HTTP ones check the public URL itself (as a visitor would,
 * certificate expiry notices on); every other one is a keyword monitor on Prometheus' query API
 * for the monitor's alert expression, up while it returns no series.
 */
export function renderKumaMonitors(monitors: readonly Monitor[], o: KumaOptions): KumaMonitorFile[] {
    return monitors.map((m) => {
        const common = { name: `${o.routes.stack}: ${m.subject} (${m.kind})`, interval: o.intervalSeconds, max_retries: 1, description: m.summary };
        let monitor: Record<string, unknown>;
        if (m.kind === "http") {
            const route = o.routes.http.find((r) => `http-${r.name}` === m.id);
            if (!route) throw new Error(`kuma: no route for monitor ${m.id}`);
            const path = new URL(m.probe!.target).pathname;
            monitor = {
                ...common,
                type: "http",
                url: `${routeUrl(o.routes, route)}${path}`,
                accepted_statuscodes: route.restricted ? ["401"] : ["200-299"],
                expiry_notification: true,
                max_redirects: 0,
            };
        } else {
            monitor = {
                ...common,
                type: "keyword",
                url: `${o.prometheusUrl}/api/v1/query?query=${encodeURIComponent(m.expr)}`,
                keyword: HEALTHY_KEYWORD,
                accepted_statuscodes: ["200-299"],
            };
        }
        return { file: `${m.id}.json`, content: `${JSON.stringify(monitor, null, 2)}\n` };
    });
}
