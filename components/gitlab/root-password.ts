import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { shellQuote } from "../docker/exec";

/**
 * Ruby for `gitlab-rails runner` that makes root's password the one read from stdin (first line).
 * Idempotent: a password that already matches changes nothing (a fresh GitLab got it as
 * `initial_root_password`); any other one, the old password of adopted data included, stops
 * working. The value never appears in the script, so it is on no command line and in no log.
 * GitLab's documented reset (doc/security/reset_user_password.md) is the same three assignments.
 */
export function rootPasswordRuby(username = "root"): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(username))
        throw new Error(`GitLab admin username must be a plain username, got ${JSON.stringify(username)}`);
    return [
        `value = $stdin.gets.to_s.chomp`,
        `abort("nexora: no root password on stdin") if value.empty?`,
        `user = User.find_by!(username: "${username}")`,
        `unless user.valid_password?(value)`,
        `  user.password = value`,
        `  user.password_confirmation = value`,
        `  user.password_automatically_set = false`,
        `  user.save!`,
        `  puts "nexora: #{user.username}'s password set"`,
        `end`,
    ].join("\n");
}

export interface GitlabRootPasswordArgs {
    /** Name of the running GitLab container. */
    readonly containerName: pulumi.Input<string>;
    /** DOCKER_HOST for the docker CLI on the machine running Pulumi. */
    readonly dockerHost: string;
    /** The program's generated root password. */
    readonly password: pulumi.Output<string>;
}

/**
 * Sets GitLab root's password to the program's generated one inside adopted data, where
 * `initial_root_password` (applied only when GitLab seeds an empty database) does not reach:
 * the adopted root kept its old password. Runs `gitlab-rails runner` in the container with the
 * password on stdin; again whenever the password changes. Pass the GitLab container in
 * `opts.dependsOn` (created healthy).
 */
export class GitlabRootPassword extends pulumi.ComponentResource {
    readonly command: command.local.Command;

    constructor(name: string, args: GitlabRootPasswordArgs, opts?: pulumi.ComponentResourceOptions) {
        const ruby = rootPasswordRuby();
        super("nexora:gitlab:RootPassword", name, {}, opts);
        this.command = new command.local.Command(
            `${name}-set`,
            {
                create: pulumi.interpolate`docker exec -i ${args.containerName} gitlab-rails runner ${shellQuote(ruby)}`,
                stdin: pulumi.secret(pulumi.interpolate`${args.password}\n`),
                environment: { DOCKER_HOST: args.dockerHost },
                triggers: [pulumi.secret(args.password)],
                logging: command.types.enums.local.Logging.Stderr,
                addPreviousOutputInEnv: false,
            },
            { parent: this, dependsOn: opts?.dependsOn, additionalSecretOutputs: ["stdout", "stderr"] },
        );
        this.registerOutputs({});
    }
}
