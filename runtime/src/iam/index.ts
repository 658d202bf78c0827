/** IAM: users, teams, roles, API tokens; authentication (TokenVerifier) and authorisation. See docs/iam.md. */
export { ROLES, type Role, isRole, roleAllows } from '../../../protocol/src/roles.js';
export { AuthError, type AuthFailure, ForbiddenError, IamError } from './errors.js';
export { type CredentialChange, type CredentialChanges, type Principal, type TokenVerifier, type VerifierRoute, bearerToken, routeVerifiers } from './verifier.js';
export { authorize, methodNamespace, normaliseScopes, scopeAllows, scopeCovers } from './authorize.js';
export {
    ADMIN_TOKEN_FILE, BOOTSTRAP_TEAM, BOOTSTRAP_USER, type BootstrapResult, type CreatedToken, type CreateTokenOptions,
    Iam, type IamOptions, LAST_USED_RESOLUTION_MS, type MembershipInfo, type TeamInfo, type TokenFilter, type TokenInfo,
    type TokenState, type UserInfo, hashToken,
} from './iam.js';
