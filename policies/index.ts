// The engine's entry point: constructing the pack starts its gRPC server, so nothing else imports this file.
import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./policy-list";

new PolicyPack("nexora-credentials", { policies: allPolicies });
