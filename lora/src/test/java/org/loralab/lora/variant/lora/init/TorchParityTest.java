package org.loralab.lora.variant.lora.init;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * OLoRA and PiSSA against the spec's formulas evaluated by torch 1.13 (Debian python3-torch, float32):
 * <pre>
 * Q, R = torch.linalg.qr(W); B, A = Q[:, :r], R[:r]                         # OLoRA
 * U, S, Vh = torch.linalg.svd(W, full_matrices=False); Sr = S[:r] / s
 * A = diag(sqrt(Sr)) @ Vh[:r]; B = U[:, :r] @ diag(sqrt(Sr))               # PiSSA
 * W_res = W - s * B @ A                                                     # r = 2, alpha = 4, s = 2
 * </pre>
 * OLoRA must match including signs (LAPACK's Householder convention); PiSSA up to one sign per singular triplet.
 */
class TorchParityTest {
    private static final float[][] W = {
        {0.5f, -1.0f, 2.0f, 0.25f}, {1.5f, 0.75f, -0.5f, 1.0f}, {-2.0f, 0.5f, 1.0f, -1.25f},
        {0.0f, 1.0f, -1.5f, 0.5f}, {1.0f, -0.25f, 0.75f, 2.0f}};
    private static final double S = 2.0;
    private static final double TOL = 2e-6;

    @Test
    void oloraMatchesTorchIncludingSigns() {
        MutatingInit m = MutatingInit.olora(W, 2, S);
        assertClose(new double[][] {
            {-2.738612651824951, 0.2282177209854126, 0.3651484251022339, -2.2365338802337646},
            {0.0, -1.6801539659500122, 2.1699399948120117, -0.22939351201057434}}, m.a(), TOL);
        assertClose(new double[][] {
            {-0.18257415294647217, 0.5703842043876648}, {-0.547722578048706, -0.5207855105400085},
            {0.730296790599823, -0.19839449226856232}, {0.0, -0.5951835513114929},
            {-0.3651483952999115, 0.09919724613428116}}, m.b(), TOL);
        assertClose(new double[][] {
            {-0.4999997615814209, 0.9999998807907104, -0.34206557273864746, -0.30498164892196655},
            {-1.5, -0.7499996423721313, 2.160146713256836, -1.6889300346374512},
            {2.0, -0.4999999403953552, 1.3276748657226562, 1.9256463050842285},
            {0.0, -1.0, 1.0830252170562744, 0.22693750262260437},
            {-1.0, 0.2499999701976776, 0.5861625671386719, 0.41217684745788574}}, m.residual(), TOL);
    }

    @Test
    void pissaMatchesTorchUpToTheSignOfEachTriplet() {
        MutatingInit m = MutatingInit.pissa(W, 2, S, -1, null);
        double[][] a = {
            {-0.9668566584587097, -0.024934828281402588, 0.2761414051055908, -0.909757137298584},
            {-0.15862096846103668, 0.5787599086761475, -1.081480860710144, -0.1755513846874237}};
        double[][] b = {
            {-0.03633086383342743, -0.9179252982139587}, {-0.6841602325439453, 0.1798502504825592},
            {0.9064593315124512, -0.08183703571557999}, {-0.2430281788110733, 0.6770743727684021},
            {-0.6994419693946838, -0.4695564806461334}};
        for (int k = 0; k < 2; k++) {
            double sign = Math.signum(m.a()[k][0]) == Math.signum(a[k][0]) ? 1 : -1;
            for (int j = 0; j < 4; j++) {
                assertEquals(a[k][j], sign * m.a()[k][j], TOL, "A[" + k + "][" + j + "]");
            }
            for (int i = 0; i < 5; i++) {
                assertEquals(b[i][k], sign * m.b()[i][k], TOL, "B[" + i + "][" + k + "]");
            }
        }
        assertClose(new double[][] {
            {0.13854211568832397, 0.060704946517944336, 0.034627676010131836, -0.13839063048362732},
            {0.234086275100708, 0.5077009201049805, 0.26685911417007446, -0.181693434715271},
            {-0.27312958240509033, 0.6399328112602234, 0.32236772775650024, 0.3705824613571167},
            {-0.2551504373550415, 0.20415323972702026, 0.09870624542236328, 0.29552942514419556},
            {-0.5014832019805908, 0.25863999128341675, 0.12065708637237549, 0.5624927282333374}},
                m.residual(), 1e-5);
    }

    /**
     * PiSSA's residual W - U_r S_r Vh_r cancels most of W, so torch's float32 SVD error shows there: at (0,2) torch
     * float32 gives 0.0346277, float64 0.0346301, this port 0.0346302. Hence 1e-5 for that residual.
     */
    private static void assertClose(double[][] expected, float[][] actual, double tol) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                assertEquals(expected[i][j], actual[i][j], tol, "(" + i + "," + j + ")");
            }
        }
    }
}
