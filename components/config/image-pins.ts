// The `images` map: every image pinned to a tag or digest, and PostgreSQL's major held to the data directory's.
import { defaultImages, ImageName, imageNames, parseImageRef } from "../images";
import { Checker, describe, keyPart, readJsonObject } from "./checker";

export function readImages(c: Checker, raw: string | undefined): Record<ImageName, string> {
    const overrides = readJsonObject(c, "images", raw);
    const images: Record<ImageName, string> = { ...defaultImages() };
    const names = imageNames();
    for (const [i, [name, value]] of Object.entries(overrides).entries()) {
        if (!(names as readonly string[]).includes(name)) {
            c.fail(`images.${keyPart(name, i)}`, `one of the known images (${names.join(", ")})`);
            continue;
        }
        if (typeof value !== "string") {
            c.fail(`images.${name}`, `an image reference string, got ${describe(value)}`);
            continue;
        }
        images[name as ImageName] = value;
    }
    for (const name of names) checkPinned(c, `images.${name}`, images[name]);

    // GitLab 19 dropped PostgreSQL 16: pairing them would fail only at GitLab's first boot.
    const gitlabMajor = Number(parseImageRef(images.gitlab)?.tag?.split(".")[0]);
    const postgresMajor = Number(parseImageRef(images.postgres)?.tag?.split(/[.-]/)[0]);
    if (gitlabMajor >= 19 && postgresMajor < 17) {
        c.fail(
            "images.gitlab",
            `a GitLab 18.x image with PostgreSQL ${postgresMajor} (GitLab ${gitlabMajor} requires PostgreSQL 17+; first upgrade PostgreSQL itself, which is a dump and restore or pg_upgrade of its data, not an image bump: docs/upgrade-postgres.md)`,
        );
    }
    return images;
}

/**
 * A PostgreSQL server refuses a data directory initialised by another major version, so the image's
 * major must stay the one the stack's data volume was created with (`nexora:postgresDataMajor`).
 * A major upgrade is a migration of the data (dump and restore, or pg_upgrade: docs/upgrade-postgres.md);
 * once it is done, the operator records the new major in the same change as the image.
 * A fact rather than an "upgrade: true" switch: a switch left on would disarm the check for good.
 */
export function checkPostgresDataMajor(c: Checker, postgresImage: string, rawDataMajor: string): void {
    if (!/^[1-9]\d?$/.test(rawDataMajor)) {
        c.fail("postgresDataMajor", `the PostgreSQL major version the stack's data directory was initialised with (e.g. 16), got ${describe(rawDataMajor)}`);
        return;
    }
    const tag = parseImageRef(postgresImage)?.tag;
    const imageMajor = tag === undefined ? undefined : /^(\d+)(?:$|[.-])/.exec(tag)?.[1];
    if (imageMajor === undefined) {
        c.fail(
            "images.postgres",
            `a tag that starts with the PostgreSQL major version (e.g. postgres:${rawDataMajor}.15-bookworm), so it can be checked against postgresDataMajor, got ${describe(postgresImage)}`,
        );
    } else if (imageMajor !== rawDataMajor) {
        c.fail(
            "images.postgres",
            `PostgreSQL ${rawDataMajor}, the major the data directory was initialised with (nexora:postgresDataMajor), got ${imageMajor}: ` +
                `PostgreSQL ${imageMajor} refuses to start on it. A major upgrade is a dump and restore (or pg_upgrade), docs/upgrade-postgres.md; ` +
                `after it, set nexora:postgresDataMajor to ${imageMajor} together with the image`,
        );
    }
}

export function checkPinned(c: Checker, key: string, image: string): void {
    const ref = parseImageRef(image);
    if (!ref) c.fail(key, `an image reference like "repo/name:1.2.3", got ${describe(image)}`);
    else if (!ref.tag && !ref.digest) c.fail(key, `a pinned tag or digest, got ${describe(image)} (no tag means latest)`);
    else if (ref.tag === "latest") c.fail(key, `a pinned tag, got "latest"`);
}
