// Paths and loaders for the hand-written fixtures beside this file.
import { readFileSync } from "node:fs";
import * as path from "node:path";

export const FIXTURES = path.join(__dirname, "fixtures");

export function fixturePath(name: string): string {
    return path.join(FIXTURES, name);
}

export function readFixture(name: string): string {
    return readFileSync(fixturePath(name), "utf8");
}

export const STAGING_URN = "urn:pulumi:staging::nexora::";
