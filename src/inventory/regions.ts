/**
 * Continent-level regions for "nearest by lane". Coarse on purpose: what matters for a reship is
 * whether the parcel crosses an ocean or a customs border, not the kilometres.
 */
const REGIONS: Record<string, string> = {};
const add = (region: string, countries: string) => {
  for (const c of countries.split(' ')) REGIONS[c] = region;
};
add(
  'EU',
  'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE GB NO CH IS LI UA RS BA ME MK AL MD',
);
add('NA', 'US CA MX');
add('LATAM', 'BR AR CL CO PE UY PY BO EC VE CR PA GT HN SV NI DO CU PR JM');
add('AS', 'CN HK MO TW JP KR SG MY TH VN ID PH IN PK BD LK NP KH LA MM');
add('ME', 'AE SA QA KW BH OM IL JO TR EG');
add('OC', 'AU NZ');
add('AF', 'ZA NG KE MA TN GH ET');

/** The region of a country (ISO 3166-1 alpha-2), or the country itself when we do not know it. */
export function regionOf(country: string): string {
  return REGIONS[country.toUpperCase()] ?? country.toUpperCase();
}
