//! `linear_readout` (Massey et al.): spike counts per sample → standardised → PCA keeping a
//! fraction of the variance, whitened → multinomial logistic regression fit on the training
//! samples. Deterministic: full-batch gradient descent from zero weights.

/// A map from standardised counts to the features the regression sees.
type Projection = dyn Fn(&[f64]) -> Vec<f64>;

/// Fits on `(train, labels)` and answers `test`. `keep` is the fraction of variance PCA
/// keeps (1: no PCA).
pub fn fit_predict(
    train: &[Vec<u32>],
    labels: &[u32],
    test: &[Vec<u32>],
    classes: usize,
    keep: f64,
) -> Vec<u32> {
    let d = train.first().map_or(0, Vec::len);
    if train.is_empty() || d == 0 || classes == 0 {
        return vec![0; test.len()];
    }
    let n = train.len() as f64;
    // Standardise with the training statistics.
    let mut mean = vec![0.0f64; d];
    for s in train {
        mean.iter_mut()
            .zip(s)
            .for_each(|(m, &c)| *m += c as f64 / n);
    }
    let mut sd = vec![0.0f64; d];
    for s in train {
        sd.iter_mut()
            .zip(s.iter().zip(&mean))
            .for_each(|(v, (&c, m))| *v += (c as f64 - m).powi(2) / n);
    }
    sd.iter_mut()
        .for_each(|v| *v = if *v > 1e-12 { v.sqrt() } else { 1.0 });
    let z = |s: &[u32]| -> Vec<f64> {
        s.iter()
            .zip(mean.iter().zip(&sd))
            .map(|(&c, (m, v))| (c as f64 - m) / v)
            .collect()
    };
    let ztrain: Vec<Vec<f64>> = train.iter().map(|s| z(s)).collect();
    let ztest: Vec<Vec<f64>> = test.iter().map(|s| z(s)).collect();
    // PCA: the leading eigenvectors of the covariance, whitened.
    let project: Box<Projection> = if keep < 1.0 {
        let mut cov = vec![0.0f64; d * d];
        for x in &ztrain {
            for i in 0..d {
                if x[i] == 0.0 {
                    continue;
                }
                for j in i..d {
                    cov[i * d + j] += x[i] * x[j] / n;
                }
            }
        }
        for i in 0..d {
            for j in 0..i {
                cov[i * d + j] = cov[j * d + i];
            }
        }
        let (values, vectors) = jacobi_eigen(cov, d);
        let mut order: Vec<usize> = (0..d).collect();
        order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
        let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
        let mut kept = Vec::new();
        let mut acc = 0.0;
        for &k in &order {
            if values[k] <= 1e-12 {
                break;
            }
            kept.push(k);
            acc += values[k];
            if acc >= keep * total {
                break;
            }
        }
        Box::new(move |x: &[f64]| {
            kept.iter()
                .map(|&k| {
                    let dot: f64 = (0..d).map(|i| vectors[i * d + k] * x[i]).sum();
                    dot / values[k].sqrt()
                })
                .collect()
        })
    } else {
        Box::new(|x: &[f64]| x.to_vec())
    };
    let ptrain: Vec<Vec<f64>> = ztrain.iter().map(|x| project(x)).collect();
    let ptest: Vec<Vec<f64>> = ztest.iter().map(|x| project(x)).collect();
    let k = ptrain[0].len();
    // Softmax regression: W (classes × k) and b, full-batch gradient descent with L2.
    let (lr, l2, iterations) = (0.5, 1e-4, 300);
    let mut w = vec![0.0f64; classes * k];
    let mut b = vec![0.0f64; classes];
    let mut p = vec![0.0f64; classes];
    for _ in 0..iterations {
        let mut gw = vec![0.0f64; classes * k];
        let mut gb = vec![0.0f64; classes];
        for (x, &y) in ptrain.iter().zip(labels) {
            softmax(&w, &b, x, &mut p);
            for c in 0..classes {
                let e = p[c] - (c as u32 == y) as u8 as f64;
                gb[c] += e / n;
                for (g, xi) in gw[c * k..(c + 1) * k].iter_mut().zip(x) {
                    *g += e * xi / n;
                }
            }
        }
        for (wi, g) in w.iter_mut().zip(&gw) {
            *wi -= lr * (g + l2 * *wi);
        }
        for (bi, g) in b.iter_mut().zip(&gb) {
            *bi -= lr * g;
        }
    }
    ptest
        .iter()
        .map(|x| {
            softmax(&w, &b, x, &mut p);
            (0..classes).fold(0, |best, c| if p[c] > p[best] { c } else { best }) as u32
        })
        .collect()
}

fn softmax(w: &[f64], b: &[f64], x: &[f64], p: &mut [f64]) {
    let k = x.len();
    for (c, pc) in p.iter_mut().enumerate() {
        *pc = b[c]
            + w[c * k..(c + 1) * k]
                .iter()
                .zip(x)
                .map(|(a, b)| a * b)
                .sum::<f64>();
    }
    let m = p.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut s = 0.0;
    p.iter_mut().for_each(|v| {
        *v = (*v - m).exp();
        s += *v;
    });
    p.iter_mut().for_each(|v| *v /= s);
}

/// Eigenvalues and eigenvectors (columns of a d × d row-major matrix) of a symmetric
/// matrix, by cyclic Jacobi rotations.
fn jacobi_eigen(mut a: Vec<f64>, d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0f64; d * d];
    (0..d).for_each(|i| v[i * d + i] = 1.0);
    for _sweep in 0..50 {
        let off: f64 = (0..d)
            .flat_map(|i| (0..d).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * d + j].powi(2))
            .sum();
        if off < 1e-18 {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                let apq = a[p * d + q];
                if apq.abs() < 1e-15 {
                    continue;
                }
                let theta = (a[q * d + q] - a[p * d + p]) / (2.0 * apq);
                let t = theta.signum().max(0.0) * 2.0 - 1.0;
                let t = t / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..d {
                    let (akp, akq) = (a[k * d + p], a[k * d + q]);
                    a[k * d + p] = c * akp - s * akq;
                    a[k * d + q] = s * akp + c * akq;
                }
                for k in 0..d {
                    let (apk, aqk) = (a[p * d + k], a[q * d + k]);
                    a[p * d + k] = c * apk - s * aqk;
                    a[q * d + k] = s * apk + c * aqk;
                }
                for k in 0..d {
                    let (vkp, vkq) = (v[k * d + p], v[k * d + q]);
                    v[k * d + p] = c * vkp - s * vkq;
                    v[k * d + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..d).map(|i| a[i * d + i]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_finds_the_eigenpairs_of_a_symmetric_matrix() {
        // [[2, 1], [1, 2]]: eigenvalues 3 and 1, eigenvectors (1, 1)/√2 and (1, −1)/√2.
        let (values, vectors) = jacobi_eigen(vec![2.0, 1.0, 1.0, 2.0], 2);
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        assert!((sorted[0] - 1.0).abs() < 1e-9 && (sorted[1] - 3.0).abs() < 1e-9);
        let k = if values[0] > values[1] { 0 } else { 1 };
        assert!((vectors[k].abs() - vectors[2 + k].abs()).abs() < 1e-9);
        assert!(
            (vectors[k] - vectors[2 + k]).abs() < 1e-9,
            "same sign for eigenvalue 3"
        );
    }

    #[test]
    fn separable_counts_are_classified_with_and_without_pca() {
        // Class c fires neuron c (plus noise-free background on neuron 3).
        let mut train = Vec::new();
        let mut labels = Vec::new();
        for i in 0..30u32 {
            let c = i % 3;
            let mut s = vec![1, 1, 1, 2];
            s[c as usize] += 5 + (i % 4);
            train.push(s);
            labels.push(c);
        }
        let test = vec![vec![9, 1, 1, 2], vec![1, 8, 1, 2], vec![1, 1, 7, 2]];
        assert_eq!(fit_predict(&train, &labels, &test, 3, 1.0), vec![0, 1, 2]);
        assert_eq!(fit_predict(&train, &labels, &test, 3, 0.95), vec![0, 1, 2]);
    }
}
