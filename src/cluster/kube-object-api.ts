/**
 * client-node's KubernetesObjectApi as the KubeCluster needs it: the server's JSON returned as is
 * (no generated models), writes with the body sent as given, discovery exposed for watch paths,
 * and a response timeout on every request (src/cluster/timeouts.ts).
 */
import type { KubeObject, TypeRef } from '@slipway/kube';
import {
  HttpMethod,
  KubernetesObjectApi,
  type Configuration,
  type KubeConfig,
  type KubernetesObject,
  type RequestContext,
  type ResponseContext,
} from '#kubernetes-client';
import { DEFAULT_TIMEOUTS, RESPONSE_TIMEOUT_CODE, TimeoutError } from './timeouts.js';

/** KubernetesObjectApi returning the server's JSON as is, and exposing discovery for watch paths. */
export class PlainObjectApi extends KubernetesObjectApi {
  private responseMs = DEFAULT_TIMEOUTS.responseMs;

  static forConfig(kc: KubeConfig, namespace: string, responseMs: number): PlainObjectApi {
    const api = kc.makeApiClient(PlainObjectApi);
    api.defaultNamespace = namespace;
    api.responseMs = responseMs;
    return api;
  }

  /** Every request (watches do not come through here) gets the response timeout. */
  protected override async requestPromise<T extends KubernetesObject>(
    request: RequestContext,
    type?: string,
    options?: Configuration,
  ): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.responseMs);
    request.setSignal(controller.signal);
    try {
      return await super.requestPromise<T>(request, type, options);
    } catch (err) {
      throw controller.signal.aborted ? new TimeoutError(RESPONSE_TIMEOUT_CODE, this.responseMs) : err;
    } finally {
      clearTimeout(timer);
    }
  }

  protected override async processResponse<T extends KubernetesObject>(
    response: ResponseContext,
  ): Promise<T> {
    return super.processResponse<T>(response, 'any');
  }

  /**
   * A write with the body sent as we give it. The inherited create/replace/patch run the body
   * through the generated serializer, which drops fields its models lack and cannot carry a JSON
   * patch (a list) at all.
   */
  async send(
    method: HttpMethod,
    target: KubeObject,
    action: 'create' | 'replace' | 'patch',
    body: unknown,
    contentType: string,
    query: Record<string, string | undefined>,
  ): Promise<KubeObject> {
    const path = await this.specUriPath(structuredClone(target) as KubernetesObject, action);
    const request = this.configuration.baseServer.makeRequestContext(path, method);
    request.setHeaderParam('Accept', 'application/json');
    request.setHeaderParam('Content-Type', contentType);
    for (const [key, value] of Object.entries(query))
      if (value !== undefined) request.setQueryParam(key, value);
    request.setBody(JSON.stringify(body));
    return (await this.requestPromise<KubernetesObject>(request)) as unknown as KubeObject;
  }

  /** A GET of any path, with this configuration's credentials; the status and body as they came. */
  async getRaw(
    path: string,
    query: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<{ status: number; body: string }> {
    const request = this.configuration.baseServer.makeRequestContext(path, HttpMethod.GET);
    for (const [key, value] of Object.entries(query)) request.setQueryParam(key, value);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.responseMs);
    const abort = () => controller.abort();
    signal?.addEventListener('abort', abort, { once: true });
    request.setSignal(controller.signal);
    try {
      // The same authentication KubernetesObjectApi applies to its own requests.
      for (const auth of [this.configuration.authMethods.BearerToken, this.configuration.authMethods.default])
        await auth?.applySecurityAuthentication(request);
      const response = await this.configuration.httpApi.send(request).toPromise();
      return { status: response.httpStatusCode, body: await response.body.text() };
    } catch (err) {
      if (controller.signal.aborted && !signal?.aborted)
        throw new TimeoutError(RESPONSE_TIMEOUT_CODE, this.responseMs);
      throw err;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
    }
  }

  collectionPath(type: TypeRef): Promise<string> {
    return this.specUriPath(
      { apiVersion: type.apiVersion, kind: type.kind, metadata: { namespace: type.namespace } },
      'list',
    );
  }

  async isNamespaced(apiVersion: string, kind: string): Promise<boolean | undefined> {
    return (await this.resource(apiVersion, kind))?.namespaced;
  }
}
