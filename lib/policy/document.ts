/**
 * Plain IAM policy JSON. The policy module produces these from config alone (no CDK tokens),
 * so the same documents feed the CDK stacks, the local provisioner and the offline proofs.
 */
export type StringOrList = string | string[];

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | { AWS?: StringOrList; Service?: StringOrList };
  Action: StringOrList;
  Resource?: StringOrList;
  /** Every resource but these (used by one deny: object creation outside the accounts' prefixes). */
  NotResource?: StringOrList;
  Condition?: Record<string, Record<string, StringOrList | boolean>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export function policy(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** The statement with this Sid; throws if absent so a caller never silently works on nothing. */
export function statementBySid(document: PolicyDocument, sid: string): PolicyStatement {
  const found = document.Statement.find((s) => s.Sid === sid);
  if (!found) {
    throw new Error(`policy has no statement "${sid}" (has: ${document.Statement.map((s) => s.Sid).join(', ')})`);
  }
  return found;
}

/** Statements grant to a principal: identity-policy statements have none, resource-policy ones need one. */
export function withPrincipal(statement: PolicyStatement, principalArns: string[]): PolicyStatement {
  return { ...statement, Principal: { AWS: principalArns.length === 1 ? principalArns[0] : principalArns } };
}

export function asList(value: StringOrList | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
