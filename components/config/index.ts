/**
 * The only reader of Pulumi config. Raw strings go through `parseSettings` (pure, fully
 * validated, every problem reported at once) before any resource is registered; secrets
 * are wrapped as Outputs here so no component ever sees them as plain strings.
 *
 * Written by hand rather than with a schema library such as zod, after weighing it: zod would
 * collect every issue with its path just as well, but the shape checks are the small part here.
 * Most rules span keys (tunnel against published ports, features that need GitLab, subnets
 * against the Docker host and the relay, sibling stacks' names, which keys the engine stores as
 * secrets, the route table built from all of them), so they would be `superRefine` callbacks, the
 * same code as now. Every message must also pass the hostile-value rule (`describe`: a credential
 * or payload is never echoed into CI logs) and say what was expected in the key's own terms, so
 * zod's default messages would all be replaced by a custom error map. And the engine hands over flat strings
 * with objects as JSON, without YAML positions, so a library would add no line numbers either.
 * The syntax predicates themselves (../validators.ts) are shared with the renderers either way.
 */

export { cidrsOverlap, isDnsLabel, isIpv4, parseCidr } from "../validators";
export { featureKeys, type PlatformFeatures } from "../features";
export {
    CONFIG_NAMESPACE,
    type Environment,
    environments,
    type TlsMode,
    APP_OAUTH_SCOPES,
    type AppSsoSettings,
    type AppSettings,
    type DnsSettings,
    type TunnelSettings,
    type PublishSettings,
    type PlatformSettings,
    type PlatformConfig,
    type ConfigIssue,
    ConfigError,
} from "./types";
export {
    SCALAR_DEFAULTS,
    type ScalarKey,
    OBJECT_KEYS,
    BACKUP_SECRET_KEYS,
    MONITORING_SECRET_KEYS,
    SECRET_KEYS,
    type RequiredSecret,
    requiredSecretKeys,
} from "./keys";
export { type ParseContext, parseSettings, toPlatformConfig } from "./parse";
export { readSiblingStacks, readPlatformConfig } from "./runtime";
export { type BackupSecretKey, DEFAULT_BACKUP_RETENTION, type BackupOffsiteSettings, type BackupSettings, type BackupSecrets } from "./backup";
export { type MonitoringSettings } from "./monitoring";
