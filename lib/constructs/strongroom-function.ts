import { join } from 'node:path';
import { type Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../contract/metrics';

/** Repository root: where package-lock.json and tsconfig.json live (this file is lib/constructs/). */
const PROJECT_ROOT = join(__dirname, '..', '..');

/** Lambda's limit on the total size of a function's environment variables (names and values). */
export const LAMBDA_ENVIRONMENT_MAX_BYTES = 4096;
/** Size assumed for a value only known at deploy time (an ARN or URL from another resource). */
const UNRESOLVED_VALUE_BYTES = 256;

/** Variables the construct sets itself; a caller passing one would silently lose it. */
const HOUSE_VARIABLES = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_LOG_LEVEL', 'NODE_OPTIONS'];

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * How every function is bundled (esbuild, locally). `mainFields` prefers a package's ES module build, which
 * esbuild can tree-shake (the SDK's and Powertools' CommonJS builds keep every command and helper): about a
 * fifth of each bundle. `npm run bench` (row 6) bundles the handlers with these very options.
 */
export const LAMBDA_BUNDLING = {
  forceDockerBundling: false,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node22',
  format: nodejs.OutputFormat.CJS,
  mainFields: ['module', 'main'],
  bundleAwsSDK: true,
} as const satisfies nodejs.BundlingOptions;

export interface StrongroomFunctionProps {
  /** Physical name; fixed so that policies (and the function itself) can name it without a reference. */
  readonly functionName: string;
  /** Absolute path of the handler's TypeScript file; it must export `handler`. */
  readonly entry: string;
  /** The execution role, created by the stack with its fixed name and exact permissions. */
  readonly role: iam.IRole;
  /** Powertools service name: the `service` key of every log line and dimension of every metric. */
  readonly serviceName: string;
  /** The function's own variables (the house ones are added here). */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeout: Duration;
  /** @default 1024 */
  readonly memorySize?: number;
  /** Days CloudWatch Logs keeps the function's log lines; one of the values CloudWatch accepts. */
  readonly logRetentionDays: number;
  /** @default - no reserved concurrency (the function draws on the account's unreserved pool) */
  readonly reservedConcurrentExecutions?: number;
  readonly description?: string;
}

/**
 * The house Lambda function: TypeScript bundled locally by esbuild (never Docker), Node.js 22 on
 * arm64, minified with source maps, the AWS SDK bundled (the function runs the SDK version the tests
 * ran, not whatever the runtime ships that week), Powertools settings, and its own log group.
 *
 * The log group has a generated name and is RETAINED: deleting or replacing the stack must not
 * erase the record of what was copied, restored and verified (retention still expires it), and a
 * generated name means a redeploy after a deletion never collides with the retained group.
 */
export class StrongroomFunction extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly logGroup: logs.LogGroup;

  public constructor(scope: Construct, id: string, props: StrongroomFunctionProps) {
    super(scope, id);
    if (!FUNCTION_NAME.test(props.functionName)) {
      throw new Error(
        `StrongroomFunction: functionName must be 1-64 characters of letters, digits, "-" and "_", got ${JSON.stringify(props.functionName)}`,
      );
    }
    if (!(Object.values(logs.RetentionDays) as number[]).includes(props.logRetentionDays) || props.logRetentionDays <= 0) {
      throw new Error(
        `StrongroomFunction ${props.functionName}: logRetentionDays must be a finite retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, ...), got ${props.logRetentionDays}`,
      );
    }
    const overridden = HOUSE_VARIABLES.filter((name) => name in props.environment);
    if (overridden.length > 0) {
      throw new Error(
        `StrongroomFunction ${props.functionName}: environment must not set ${overridden.join(', ')}; the construct sets them (use serviceName)`,
      );
    }

    const environment: Record<string, string> = {
      ...props.environment,
      POWERTOOLS_SERVICE_NAME: props.serviceName,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };
    const size = environmentBytes(environment);
    if (size > LAMBDA_ENVIRONMENT_MAX_BYTES) {
      throw new Error(
        `StrongroomFunction ${props.functionName}: its environment is about ${size} bytes, above Lambda's limit of ${LAMBDA_ENVIRONMENT_MAX_BYTES} (the deploy would fail); configure fewer sources or prefixes per primary account`,
      );
    }

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      description: props.description,
      entry: props.entry,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout,
      role: props.role,
      environment,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      bundling: { ...LAMBDA_BUNDLING, mainFields: [...LAMBDA_BUNDLING.mainFields] },
    });
    // The role is passed in, so CDK adds no logging permissions: write to this log group, nothing else.
    this.logGroup.grantWrite(props.role);
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime Strongroom is built and tested for (supported by Lambda into 2027); moving to a newer runtime is a deliberate, tested upgrade, not a silent one.',
    });
  }
}

/** Bytes of names and values, counting a value known only at deploy time as UNRESOLVED_VALUE_BYTES. */
export function environmentBytes(environment: Readonly<Record<string, string>>): number {
  return Object.entries(environment).reduce(
    (total, [name, value]) =>
      total + Buffer.byteLength(name) + (Token.isUnresolved(value) ? UNRESOLVED_VALUE_BYTES : Buffer.byteLength(value)),
    0,
  );
}
