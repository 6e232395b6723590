// The admin API and the operations shared with the admin CLI.
export { checkAdminToken, createAdminAuthorizer, createBearerGuard, minAdminTokenLength, type AdminAuthorizer } from './auth.js';
export { AdminError, scimError, sendAdminError, type ScimErrorBody } from './errors.js';
export { customSchemaPattern, parseCustomExtensions, parseCustomSchemas } from './schemas.js';
export * from './operations.js';
export { registerAdminRoutes, type AdminRoutesOptions } from './routes.js';
export { bearerToken, generateToken, hashToken, secretsEqual, tokenPrefix } from './secrets.js';
