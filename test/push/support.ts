// The push tests' org: chaos/push-org.ts (shared with the convergence run).
export * from '../../chaos/push-org';
