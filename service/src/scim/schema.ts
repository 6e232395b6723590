// The attributes this service understands: canonical names (input is matched case-insensitively),
// types (booleans are coerced from Entra's "True"/"False" strings), multi-valued and read-only attributes.
export const userSchema = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const groupSchema = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const enterpriseSchema = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const listResponseSchema = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const patchOpSchema = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** Custom extension URNs a tenant may enable (`urn:ietf:params:scim:schemas:extension:<Name>:2.0:User`). */
export const customSchemaPattern = /^urn:ietf:params:scim:schemas:extension:[A-Za-z0-9_.-]+:2\.0:User$/i;

export type AttrType = 'string' | 'boolean' | 'complex' | 'reference' | 'dateTime' | 'integer';

export interface AttrDef {
  name: string;
  type: AttrType;
  multiValued?: boolean;
  subAttributes?: AttrDef[];
  readOnly?: boolean;
  /** Never returned (password). */
  writeOnly?: boolean;
}

const s = (name: string): AttrDef => ({ name, type: 'string' });
const b = (name: string): AttrDef => ({ name, type: 'boolean' });
const multi = (name: string, extra: AttrDef[] = []): AttrDef => ({
  name,
  type: 'complex',
  multiValued: true,
  subAttributes: [s('value'), s('display'), s('type'), b('primary'), ...extra],
});

export const userAttributes: AttrDef[] = [
  s('userName'),
  { name: 'name', type: 'complex', subAttributes: ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'].map(s) },
  s('displayName'),
  s('nickName'),
  { name: 'profileUrl', type: 'reference' },
  s('title'),
  s('userType'),
  s('preferredLanguage'),
  s('locale'),
  s('timezone'),
  b('active'),
  { name: 'password', type: 'string', writeOnly: true },
  multi('emails'),
  multi('phoneNumbers'),
  multi('ims'),
  multi('photos'),
  { ...multi('addresses', ['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country'].map(s)) },
  { ...multi('groups', [{ name: '$ref', type: 'reference' }]), readOnly: true },
  multi('entitlements'),
  multi('roles'),
  multi('x509Certificates'),
  s('externalId'),
];

export const enterpriseAttributes: AttrDef[] = [
  s('employeeNumber'),
  s('costCenter'),
  s('organization'),
  s('division'),
  s('department'),
  { name: 'manager', type: 'complex', subAttributes: [s('value'), { name: '$ref', type: 'reference' }, s('displayName')] },
];

export const groupAttributes: AttrDef[] = [
  s('displayName'),
  { ...multi('members', [{ name: '$ref', type: 'reference' }]) },
  s('externalId'),
];

function index(defs: AttrDef[]): Map<string, AttrDef> {
  return new Map(defs.map((d) => [d.name.toLowerCase(), d]));
}
export const userAttrIndex = index(userAttributes);
export const enterpriseAttrIndex = index(enterpriseAttributes);
export const groupAttrIndex = index(groupAttributes);

export function subAttr(def: AttrDef, name: string): AttrDef | undefined {
  const lower = name.toLowerCase();
  return def.subAttributes?.find((d) => d.name.toLowerCase() === lower);
}

export function isCoreUri(uri: string | undefined, type: 'User' | 'Group'): boolean {
  if (!uri) return true;
  return uri.toLowerCase() === (type === 'User' ? userSchema : groupSchema).toLowerCase();
}
