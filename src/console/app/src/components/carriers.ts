import { useEffect, useState } from 'preact/hooks';
import { api, must } from '../api/client';

let names: Promise<Map<string, string>> | undefined;

/** Carrier display names by code (GET /v1/carriers, read once); an unknown code shows as is. */
export function useCarrierNames(): (code: string) => string {
  const [map, setMap] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    names ??= must(api.GET('/v1/carriers')).then(
      (list) => new Map(list.items.map((c) => [c.code, c.name])),
      () => {
        names = undefined;
        return new Map<string, string>();
      },
    );
    void names.then(setMap);
  }, []);
  return (code) => map.get(code) ?? code;
}
