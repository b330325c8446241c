export { diffModels, diffSpecs, formatChange, formatReport, sortChanges, SpecsInvalidError, type DiffResult, type SpecSummary } from './diff.js';
export { changesetFileName, packageBumps, renderChangeset, workspacePackages, writeChangeset, PACKAGE_ROLES, type PackageRole } from './changeset.js';
export { maxBump, type Bump, type Change, type Facet, type Level, type Where } from './change.js';
export { compareBound, describeBound } from './limits.js';
export { diffMain } from './cli.js';
