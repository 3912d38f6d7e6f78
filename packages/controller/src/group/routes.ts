/**
 * @module group/routes
 * The exn routes of group coordination, as keripy names them, and what each embeds.
 */
export const MULTISIG_ROUTES = {
  '/multisig/icp': { label: 'icp', ilks: ['icp', 'dip'] },
  '/multisig/rot': { label: 'rot', ilks: ['rot', 'drt'] },
  '/multisig/ixn': { label: 'ixn', ilks: ['ixn'] },
} as const;

export type MultisigRoute = keyof typeof MULTISIG_ROUTES;

export function isMultisigRoute(route: string): route is MultisigRoute {
  return Object.hasOwn(MULTISIG_ROUTES, route);
}

export function routeOf(ilk: string): MultisigRoute {
  if (ilk === 'icp' || ilk === 'dip') return '/multisig/icp';
  if (ilk === 'rot' || ilk === 'drt') return '/multisig/rot';
  return '/multisig/ixn';
}
