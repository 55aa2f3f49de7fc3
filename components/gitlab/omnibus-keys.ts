/**
 * The gitlab.rb settings the renderer in ./omnibus.ts relies on, each checked against omnibus-gitlab's
 * `files/gitlab-config-template/gitlab.rb.template`. Omnibus ignores a key it does not know without
 * a word (that is how `sidekiq['max_concurrency']` went on "working" after GitLab 17.0 removed it),
 * so a test holds the renderer to this list, and a new key needs its source here first.
 *
 * Source, as far as the stored upstream material goes (no 18.11 copy of the template could be read):
 * - the template as of omnibus-gitlab 16.x (GitHub mirror gitlabhq/omnibus-gitlab, commit 0021a2c1),
 *   which lists every key below except `sidekiq['concurrency']`;
 * - `sidekiq['concurrency']`: added in 16.9 (omnibus-gitlab MR !7397), and the only Sidekiq thread
 *   setting since 17.0, which removed `min_concurrency`/`max_concurrency` (MR !7549, commit cfa75643;
 *   GitLab's 17.0 removal notice "min-concurrency and max-concurrency in Sidekiq options");
 * - the template's "Registry NGINX" section: every `nginx[...]` setting is also read as
 *   `registry_nginx[...]` ("All the settings defined in the GitLab Nginx section are also available
 *   in this Registry NGINX section"), so the registry_nginx keys below are the nginx ones we use.
 */
export const KNOWN_GITLAB_RB_KEYS: readonly string[] = [
    // top-level directives
    "external_url",
    "registry_external_url",
    // gitlab.yml settings
    "gitlab_rails['time_zone']",
    "gitlab_rails['gitlab_ssh_host']",
    "gitlab_rails['gitlab_shell_ssh_port']",
    "gitlab_rails['initial_root_password']",
    "gitlab_rails['display_initial_root_password']",
    "gitlab_rails['store_initial_root_password']",
    "gitlab_rails['trusted_proxies']",
    "gitlab_rails['monitoring_whitelist']",
    "gitlab_rails['db_adapter']",
    "gitlab_rails['db_encoding']",
    "gitlab_rails['db_host']",
    "gitlab_rails['db_port']",
    "gitlab_rails['db_username']",
    "gitlab_rails['db_password']",
    "gitlab_rails['db_database']",
    "gitlab_rails['registry_enabled']",
    // bundled services
    "letsencrypt['enable']",
    "postgresql['enable']",
    "registry['enable']",
    "prometheus_monitoring['enable']",
    "puma['worker_processes']",
    "sidekiq['concurrency']",
    // GitLab NGINX
    "nginx['listen_port']",
    "nginx['listen_https']",
    "nginx['proxy_set_headers']",
    "nginx['real_ip_trusted_addresses']",
    "nginx['real_ip_header']",
    "nginx['real_ip_recursive']",
    // Registry NGINX (the nginx settings above, under registry_nginx)
    "registry_nginx['listen_port']",
    "registry_nginx['listen_https']",
    "registry_nginx['proxy_set_headers']",
    "registry_nginx['real_ip_trusted_addresses']",
    "registry_nginx['real_ip_header']",
    "registry_nginx['real_ip_recursive']",
];

/** Keys omnibus-gitlab removed; a renderer emitting one configures nothing. */
export const REMOVED_GITLAB_RB_KEYS: Readonly<Record<string, string>> = {
    "sidekiq['max_concurrency']": "removed in GitLab 17.0: use sidekiq['concurrency']",
    "sidekiq['min_concurrency']": "removed in GitLab 17.0: use sidekiq['concurrency']",
};

/**
 * The settings a gitlab.rb text assigns: `section['key']` for each `section['key'] = …` line and
 * the directive name for `external_url '…'`-style lines. Comments and blank lines are skipped.
 */
export function gitlabRbKeys(text: string): string[] {
    const keys = new Set<string>();
    for (const [i, line] of text.split("\n").entries()) {
        if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
        const setting = /^([a-z_]+)((?:\['[a-z_]+'\])+)\s*=/.exec(line);
        const directive = /^([a-z_]+)\s+['"]/.exec(line);
        if (setting) keys.add(`${setting[1]}${setting[2]}`);
        else if (directive) keys.add(directive[1]!);
        // The line number only: a line may hold a password.
        else throw new Error(`gitlab.rb line ${i + 1} is neither a setting nor a directive`);
    }
    return [...keys];
}
