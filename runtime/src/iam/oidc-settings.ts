/**
 * The `oidc` section of the configuration: how the daemon checks an identity provider's tokens
 * and maps them to users, teams and roles. Apart from the verifier (oidc.ts) so that reading the
 * configuration does not load the JWT library.
 */
import { z } from 'zod';
import { RoleSchema } from '../../../protocol/src/roles.js';

/** The `oidc` section of the configuration (docs/iam.md, docs/config.md). */
export const OidcSettingsSchema = z.object({
    issuer: z.string().url().describe('The identity provider\'s issuer URL (the `iss` of its tokens).'),
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).describe('The `aud` tokens must carry: the id of this daemon at the IdP.'),
    jwksUri: z.string().url().optional().describe('Where the signing keys are; default: `jwks_uri` of the issuer\'s discovery document.'),
    userClaim: z.string().min(1).optional().describe('Claim naming the user (default: preferred_username, else email, else sub).'),
    groupsClaim: z.string().min(1).optional().describe('Claim listing the user\'s groups (default: groups).'),
    groups: z.record(z.string().min(1), z.object({ team: z.string().min(1), role: RoleSchema }).strict())
        .describe('Group → { team, role }: which team a group belongs to and the role it gives there.'),
    teamClaim: z.string().min(1).optional().describe('Claim choosing the team when the groups map to several.'),
    defaultTeam: z.string().min(1).optional().describe('Team chosen when the groups map to several and no team claim decides.'),
    scopePrefix: z.string().optional().describe('Prefix of AlphaForge scopes in the `scope` claim (default: af:).'),
    clockToleranceSeconds: z.number().int().min(0).max(300).optional().describe('Clock skew allowed on exp/nbf (default: 30).'),
    allowInsecureIssuer: z.boolean().optional().describe('Allow an http:// issuer that is not on this machine (never in production).'),
}).strict();

export type OidcSettings = z.infer<typeof OidcSettingsSchema>;
