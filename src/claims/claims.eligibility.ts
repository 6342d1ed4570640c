/** The pure claim decisions live beside the claim workflow (workflow code imports no `src/`). */
export * from '../../workflows/claim.eligibility';
