/** GitLab single sign-on: OAuth applications, consumer settings and what each consumer needs. */
export * from "./application";
export * from "./consumers";
export * from "./endpoints";
export * from "./env";
export * from "./portainer";
