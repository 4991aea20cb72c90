//! The toroidal food grid: placing pairs, sensing a window, eating.
//!
//! A port of C++ `Environment`: pixels hold 0 or a pair id, a pair's two pixels share
//! the id and its pattern is read from the id. Pairs are placed *without* wrapping and
//! with no food in the 8-neighbourhood of either pixel (C++ `check_emptiness`, which does
//! not wrap either), so a pair never straddles an edge; the sensor window does wrap.

use super::spec::{Pattern, Role, WorldSpec};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Random positions tried per pair before placement gives up (C++ loops forever).
const TRIES_PER_PAIR: u64 = 1_000_000;

/// The largest grid side (C++ 50); positions are reported as `u16`.
pub const MAX_SIZE: usize = 4096;

#[derive(Debug, Clone, PartialEq)]
pub struct World {
    pub size: usize,
    pub window: usize,
    /// `grid[x * size + y]`: 0 or a pair id (1-based).
    grid: Vec<u32>,
    /// The pattern slot (index into `patterns`) of pair id `k + 1`.
    slot_of: Vec<u8>,
    pub patterns: Vec<(Pattern, Role)>,
    pub replace: bool,
}

/// The offset of a pattern's second pixel from its first.
fn partner(p: Pattern) -> (isize, isize) {
    match p {
        Pattern::Horizontal => (1, 0),
        Pattern::Vertical => (0, 1),
        Pattern::DiagonalUp => (1, 1),
        Pattern::DiagonalDown => (1, -1),
    }
}

impl World {
    /// An empty world of the spec's shape (checks the spec).
    pub fn empty(spec: &WorldSpec) -> Result<World, String> {
        if !(2..=MAX_SIZE).contains(&spec.size) {
            return Err(format!("world size {} is not in 2..={MAX_SIZE}", spec.size));
        }
        if spec.window == 0 || spec.window.is_multiple_of(2) {
            return Err(format!("sensor window {} is not odd", spec.window));
        }
        if spec.patterns.len() > 4 {
            return Err("a world lists at most the 4 patterns".into());
        }
        for (i, (p, _)) in spec.patterns.iter().enumerate() {
            if spec.patterns[..i].iter().any(|(q, _)| q == p) {
                return Err(format!("pattern {p:?} is listed twice"));
            }
        }
        if !(spec.density.is_finite() && (0.0..=1.0).contains(&spec.density)) {
            return Err(format!("food density {} is not in [0, 1]", spec.density));
        }
        Ok(World {
            size: spec.size,
            window: spec.window,
            grid: vec![0; spec.size * spec.size],
            slot_of: Vec::new(),
            patterns: spec.patterns.clone(),
            replace: spec.replace,
        })
    }

    /// C++ `createEnvironment`: each listed pattern in turn gets `ceil(size²·density/2)`
    /// pairs at uniformly drawn free places (x drawn before y).
    pub fn create(spec: &WorldSpec, rng: &mut ChaCha8Rng) -> Result<World, String> {
        let mut w = World::empty(spec)?;
        let pairs = ((spec.size * spec.size) as f64 * spec.density / 2.0).ceil() as u64;
        for slot in 0..w.patterns.len() {
            for _ in 0..pairs {
                let id = w.slot_of.len() as u32 + 1;
                w.slot_of.push(slot as u8);
                if !w.place(id, rng) {
                    return Err(format!(
                        "the world is too dense: {:?} found no room after {TRIES_PER_PAIR} tries",
                        w.patterns[slot].0
                    ));
                }
            }
        }
        Ok(w)
    }

    /// Test constructor: a world with pairs at given first pixels, checked for overlap.
    pub fn with_pairs(spec: &WorldSpec, pairs: &[(usize, usize, usize)]) -> Result<World, String> {
        let mut w = World::empty(spec)?;
        for &(slot, x, y) in pairs {
            let Some(&(p, _)) = w.patterns.get(slot) else {
                return Err(format!("no pattern slot {slot}"));
            };
            let id = w.slot_of.len() as u32 + 1;
            w.slot_of.push(slot as u8);
            let Some((x2, y2)) = w.second(p, x, y).filter(|_| x < w.size && y < w.size) else {
                return Err(format!("pair at ({x}, {y}) leaves the grid"));
            };
            if w.at(x, y) != 0 || w.at(x2, y2) != 0 {
                return Err(format!("pair at ({x}, {y}) overlaps another"));
            }
            w.grid[x * w.size + y] = id;
            w.grid[x2 * w.size + y2] = id;
        }
        Ok(w)
    }

    /// The pixel at `(x, y)` (0: no food).
    pub fn at(&self, x: usize, y: usize) -> u32 {
        self.grid[x * self.size + y]
    }

    /// The pattern and role of a pair id.
    pub fn kind(&self, id: u32) -> Option<(Pattern, Role)> {
        let slot = *self.slot_of.get((id as usize).checked_sub(1)?)?;
        self.patterns.get(slot as usize).copied()
    }

    /// How many pixels hold food.
    pub fn food(&self) -> usize {
        self.grid.iter().filter(|&&v| v != 0).count()
    }

    /// The second pixel of a pair whose first is `(x, y)`, if it stays on the grid.
    fn second(&self, p: Pattern, x: usize, y: usize) -> Option<(usize, usize)> {
        let (dx, dy) = partner(p);
        let x2 = x.checked_add_signed(dx).filter(|&v| v < self.size)?;
        let y2 = y.checked_add_signed(dy).filter(|&v| v < self.size)?;
        Some((x2, y2))
    }

    /// C++ `check_emptiness`: no food in the 8-neighbourhood of `(x, y)`, not wrapping.
    fn lonely(&self, x: usize, y: usize) -> bool {
        let s = self.size as isize;
        for dx in -1isize..=1 {
            for dy in -1isize..=1 {
                let (i, j) = (x as isize + dx, y as isize + dy);
                let inside = (0..s).contains(&i) && (0..s).contains(&j);
                if (dx, dy) != (0, 0) && inside && self.grid[(i * s + j) as usize] != 0 {
                    return false;
                }
            }
        }
        true
    }

    /// Draw places until the pair `id` fits (C++ placement loop); false if it never did.
    fn place(&mut self, id: u32, rng: &mut ChaCha8Rng) -> bool {
        let Some((p, _)) = self.kind(id) else {
            return false;
        };
        for _ in 0..TRIES_PER_PAIR {
            let x = rng.random_range(0..self.size);
            let y = rng.random_range(0..self.size);
            let Some((x2, y2)) = self.second(p, x, y) else {
                continue;
            };
            if self.at(x, y) == 0
                && self.at(x2, y2) == 0
                && self.lonely(x, y)
                && self.lonely(x2, y2)
            {
                self.grid[x * self.size + y] = id;
                self.grid[x2 * self.size + y2] = id;
                return true;
            }
        }
        false
    }

    /// Which window cells see food: `out[x * window + y]` is window pixel `(x, y)`, which
    /// is grid pixel `(ax + x − h, ay + y − h)` wrapped, `h = (window − 1)/2` (C++ `flash_cells`).
    pub fn sensor(&self, ax: usize, ay: usize, out: &mut [bool]) {
        let (w, s, h) = (
            self.window,
            self.size as isize,
            (self.window as isize - 1) / 2,
        );
        for x in 0..w {
            for y in 0..w {
                let i = (ax as isize + x as isize - h).rem_euclid(s) as usize;
                let j = (ay as isize + y as isize - h).rem_euclid(s) as usize;
                if let Some(o) = out.get_mut(x * w + y) {
                    *o = self.at(i, j) != 0;
                }
            }
        }
    }

    /// Eat at `(x, y)` (C++ `move_critter`): clear the pixel, clear the partner where the
    /// C++ looks for it, re-place the pair if the world replaces. `None` when no food.
    pub fn eat(&mut self, x: usize, y: usize, rng: &mut ChaCha8Rng) -> Option<(Pattern, Role)> {
        let s = self.size;
        let food = self.at(x, y);
        let kind = self.kind(food)?;
        self.grid[x * s + y] = 0;
        let mut clear = |i: usize, j: usize| {
            if self.grid[i * s + j] == food {
                self.grid[i * s + j] = 0;
            }
        };
        // The C++ checks, quirks included: `% size` one way, a bounds test the other.
        match kind.0 {
            Pattern::Horizontal => {
                clear((x + 1) % s, y);
                if x > 0 {
                    clear(x - 1, y);
                }
            }
            Pattern::Vertical => {
                clear(x, (y + 1) % s);
                if y > 0 {
                    clear(x, y - 1);
                }
            }
            Pattern::DiagonalUp => {
                clear((x + 1) % s, (y + 1) % s);
                if x > 0 && y > 0 {
                    clear(x - 1, y - 1);
                }
            }
            Pattern::DiagonalDown => {
                if y > 0 {
                    clear((x + 1) % s, y - 1);
                }
                if x > 0 {
                    clear(x - 1, (y + 1) % s);
                }
            }
        }
        if self.replace {
            // Gives up silently if the grid is full (C++ would loop forever).
            self.place(food, rng);
        }
        Some(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn spec(size: usize) -> WorldSpec {
        WorldSpec {
            size,
            window: 7,
            patterns: vec![
                (Pattern::Horizontal, Role::Rewarded),
                (Pattern::DiagonalUp, Role::Punished),
            ],
            density: 0.05,
            replace: true,
        }
    }

    #[test]
    fn creation_places_the_cxx_number_of_pairs_lonely_and_unwrapped() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let w = World::create(&spec(50), &mut rng).unwrap();
        assert_eq!(w.slot_of.len(), 126); // 63 per pattern at 5 %
        assert_eq!(w.food(), 252);
        let mut quarter = spec(50);
        quarter.density = 0.025;
        let w2 = World::create(&quarter, &mut rng).unwrap();
        assert_eq!(w2.slot_of.len(), 64); // 32 per pattern at 2.5 %
        for x in 0..50 {
            for y in 0..50 {
                let id = w.at(x, y);
                if id == 0 {
                    continue;
                }
                // Every food pixel's 8-neighbourhood holds only its own partner.
                let mut own = 0;
                for dx in -1isize..=1 {
                    for dy in -1isize..=1 {
                        let (i, j) = (x as isize + dx, y as isize + dy);
                        if (dx, dy) == (0, 0) || !(0..50).contains(&i) || !(0..50).contains(&j) {
                            continue;
                        }
                        let v = w.at(i as usize, j as usize);
                        assert!(v == 0 || v == id, "pairs touch at ({x}, {y})");
                        own += (v == id) as usize;
                    }
                }
                assert_eq!(own, 1);
            }
        }
    }

    #[test]
    fn the_sensor_window_sees_the_pixels_in_x_major_order() {
        let w = World::with_pairs(&spec(50), &[(0, 10, 20), (1, 12, 18)]).unwrap();
        let mut seen = vec![false; 49];
        w.sensor(10, 20, &mut seen);
        let on: Vec<usize> = (0..49).filter(|&i| seen[i]).collect();
        // (10,20) is window (3,3) → 24; (11,20) → (4,3) → 31;
        // (12,18) → (5,1) → 36; (13,19) → (6,2) → 44.
        assert_eq!(on, vec![24, 31, 36, 44]);
    }

    #[test]
    fn the_window_wraps_at_the_edge() {
        let w = World::with_pairs(&spec(50), &[(0, 48, 0)]).unwrap();
        let mut seen = vec![false; 49];
        // Agent at (0, 49): window x 0..7 ↔ grid x 47, 48, 49, 0, 1, 2, 3;
        // window y ↔ grid y 46, 47, 48, 49, 0, 1, 2.
        w.sensor(0, 49, &mut seen);
        let on: Vec<usize> = (0..49).filter(|&i| seen[i]).collect();
        // (48,0) → window (1,4) → 11; (49,0) → (2,4) → 18.
        assert_eq!(on, vec![11, 18]);
    }

    #[test]
    fn eating_a_pair_clears_both_pixels_and_places_it_again() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut w = World::with_pairs(&spec(50), &[(0, 10, 20), (1, 30, 30)]).unwrap();
        // Eat the second pixel of the horizontal pair.
        let got = w.eat(11, 20, &mut rng);
        assert_eq!(got, Some((Pattern::Horizontal, Role::Rewarded)));
        assert_eq!((w.at(10, 20), w.at(11, 20)), (0, 0));
        assert_eq!(w.food(), 4);
        let placed: Vec<(usize, usize)> = (0..50)
            .flat_map(|x| (0..50).map(move |y| (x, y)))
            .filter(|&(x, y)| w.at(x, y) == 1)
            .collect();
        assert_eq!(placed.len(), 2);
        let ((x1, y1), (x2, y2)) = (placed[0], placed[1]);
        assert_eq!((x2, y2), (x1 + 1, y1), "re-placed as a horizontal pair");
        assert!(x2 < 50);
        let mut v = w.clone();
        v.grid[x1 * 50 + y1] = 0;
        v.grid[x2 * 50 + y2] = 0;
        assert!(v.lonely(x1, y1) && v.lonely(x2, y2));
        assert_eq!(w.eat(0, 0, &mut rng), None);
    }

    #[test]
    fn without_replacement_eaten_food_is_gone() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut s = spec(50);
        s.replace = false;
        s.patterns.push((Pattern::DiagonalDown, Role::Neutral));
        let mut w = World::with_pairs(&s, &[(2, 5, 5), (1, 20, 20)]).unwrap();
        assert_eq!(w.at(6, 4), 1);
        assert_eq!(
            w.eat(6, 4, &mut rng),
            Some((Pattern::DiagonalDown, Role::Neutral))
        );
        assert_eq!(
            w.eat(21, 21, &mut rng),
            Some((Pattern::DiagonalUp, Role::Punished))
        );
        assert_eq!(w.food(), 0);
    }

    #[test]
    fn bad_specs_are_errors() {
        let mut s = spec(50);
        s.window = 6;
        assert!(World::empty(&s).is_err());
        let mut s = spec(50);
        s.density = 2.0;
        assert!(World::empty(&s).is_err());
        let mut s = spec(4);
        s.density = 1.0;
        assert!(World::create(&s, &mut ChaCha8Rng::seed_from_u64(1)).is_err());
        assert!(World::with_pairs(&spec(50), &[(0, 49, 0)]).is_err());
    }
}
