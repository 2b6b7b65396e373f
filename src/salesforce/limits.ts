/** The API budget rules, for the Salesforce client: they live in src/sync/api-budget.ts (pure). */
export { isOverBudget, parseLimitInfo, type ApiUsage } from '../sync/api-budget';
